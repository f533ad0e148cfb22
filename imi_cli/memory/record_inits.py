"""The `__init__` of every record class (`typed.RecordType`), written out: compiled with the package's
bytecode like any module, where compiling it from source at run time parsed it first (about half a
million instructions a class, in every command). Generated: `python tests/test_record_inits.py`
rewrites it, and that test fails when it is out of date."""


def _init_0(self, id, content, note_kind='note', agent=None, created_at=None, archived_at=None, files=None):
    self.id = id
    self.content = content
    self.note_kind = note_kind
    self.agent = agent
    self.created_at = created_at
    self.archived_at = archived_at
    self.files = [] if files is None else files


def _init_1(self, id, key, value, type='learning', goal_id=None, task_id=None, agent=None, created_at=None, files=None):
    self.id = id
    self.key = key
    self.value = value
    self.type = type
    self.goal_id = goal_id
    self.task_id = task_id
    self.agent = agent
    self.created_at = created_at
    self.files = [] if files is None else files


def _init_2(self, id, kind, fields, status='pending', session_id=None, source='capture', proposed_by=None, created_at=None, decided_by=None, decided_at=None, record_id=None):
    self.id = id
    self.kind = kind
    self.fields = fields
    self.status = status
    self.session_id = session_id
    self.source = source
    self.proposed_by = proposed_by
    self.created_at = created_at
    self.decided_by = decided_by
    self.decided_at = decided_at
    self.record_id = record_id


def _init_3(self, id, name, description='', why=None, for_who=None, success_signal=None, status='todo', priority='medium', agent=None, created_at=None, updated_at=None, completed_at=None, archived_at=None, files=None):
    self.id = id
    self.name = name
    self.description = description
    self.why = why
    self.for_who = for_who
    self.success_signal = success_signal
    self.status = status
    self.priority = priority
    self.agent = agent
    self.created_at = created_at
    self.updated_at = updated_at
    self.completed_at = completed_at
    self.archived_at = archived_at
    self.files = [] if files is None else files


def _init_4(self, id, text, correct_behavior='', verified_by='', agent=None, created_at=None, archived_at=None, supersedes=None, aging=None, files=None):
    self.id = id
    self.text = text
    self.correct_behavior = correct_behavior
    self.verified_by = verified_by
    self.agent = agent
    self.created_at = created_at
    self.archived_at = archived_at
    self.supersedes = supersedes
    self.aging = aging
    self.files = [] if files is None else files


def _init_5(self, id, title, goal_id=None, description='', why=None, context=None, acceptance_criteria=None, tools=None, priority='medium', status='todo', agent=None, claimant=None, claimed_at=None, last_ping_at=None, summary=None, created_at=None, updated_at=None, completed_at=None, archived_at=None, blocked_by=None, files=None):
    self.id = id
    self.title = title
    self.goal_id = goal_id
    self.description = description
    self.why = why
    self.context = context
    self.acceptance_criteria = acceptance_criteria
    self.tools = [] if tools is None else tools
    self.priority = priority
    self.status = status
    self.agent = agent
    self.claimant = claimant
    self.claimed_at = claimed_at
    self.last_ping_at = last_ping_at
    self.summary = summary
    self.created_at = created_at
    self.updated_at = updated_at
    self.completed_at = completed_at
    self.archived_at = archived_at
    self.blocked_by = [] if blocked_by is None else blocked_by
    self.files = [] if files is None else files


def _init_6(self, id, what, why='', affects=None, decision_kind='decision', agent=None, created_at=None, archived_at=None, supersedes=None, aging=None, files=None):
    self.id = id
    self.what = what
    self.why = why
    self.affects = affects
    self.decision_kind = decision_kind
    self.agent = agent
    self.created_at = created_at
    self.archived_at = archived_at
    self.supersedes = supersedes
    self.aging = aging
    self.files = [] if files is None else files


def _init_7(self, kind, id, snippet, marks=(), rank=0.0):
    self.kind = kind
    self.id = id
    self.snippet = snippet
    self.marks = marks
    self.rank = rank


def _init_8(self, kind, record_id, ref, now):
    self.kind = kind
    self.record_id = record_id
    self.ref = ref
    self.now = now


def _init_9(self, kind, record_id, ref, path, start=None, end=None, status='fresh'):
    self.kind = kind
    self.record_id = record_id
    self.ref = ref
    self.path = path
    self.start = start
    self.end = end
    self.status = status


def _init_10(self, path, is_glob=False, line_start=None, line_end=None, symbol=None, origin='explicit', anchor_text=None, commit=None, ref_id=None, now=None):
    self.path = path
    self.is_glob = is_glob
    self.line_start = line_start
    self.line_end = line_end
    self.symbol = symbol
    self.origin = origin
    self.anchor_text = anchor_text
    self.commit = commit
    self.ref_id = ref_id
    self.now = now


def _init_11(self, path, line_start=None, line_end=None, symbol=None, text=None, commit=None):
    self.path = path
    self.line_start = line_start
    self.line_end = line_end
    self.symbol = symbol
    self.text = text
    self.commit = commit


def _init_12(self, paths, ref_ids=frozenset(), stored=True):
    self.paths = paths
    self.ref_ids = ref_ids
    self.stored = stored


def _init_13(self, status, path, line_start=None, line_end=None, similarity=1.0):
    self.status = status
    self.path = path
    self.line_start = line_start
    self.line_end = line_end
    self.similarity = similarity


INITS = {  # the source `typed.init_source` gives -> the function
    "def __init__(self, id, content, note_kind='note', agent=None, created_at=None, archived_at=None, files=None):\n    self.id = id\n    self.content = content\n    self.note_kind = note_kind\n    self.agent = agent\n    self.created_at = created_at\n    self.archived_at = archived_at\n    self.files = [] if files is None else files": _init_0,
    "def __init__(self, id, key, value, type='learning', goal_id=None, task_id=None, agent=None, created_at=None, files=None):\n    self.id = id\n    self.key = key\n    self.value = value\n    self.type = type\n    self.goal_id = goal_id\n    self.task_id = task_id\n    self.agent = agent\n    self.created_at = created_at\n    self.files = [] if files is None else files": _init_1,
    "def __init__(self, id, kind, fields, status='pending', session_id=None, source='capture', proposed_by=None, created_at=None, decided_by=None, decided_at=None, record_id=None):\n    self.id = id\n    self.kind = kind\n    self.fields = fields\n    self.status = status\n    self.session_id = session_id\n    self.source = source\n    self.proposed_by = proposed_by\n    self.created_at = created_at\n    self.decided_by = decided_by\n    self.decided_at = decided_at\n    self.record_id = record_id": _init_2,
    "def __init__(self, id, name, description='', why=None, for_who=None, success_signal=None, status='todo', priority='medium', agent=None, created_at=None, updated_at=None, completed_at=None, archived_at=None, files=None):\n    self.id = id\n    self.name = name\n    self.description = description\n    self.why = why\n    self.for_who = for_who\n    self.success_signal = success_signal\n    self.status = status\n    self.priority = priority\n    self.agent = agent\n    self.created_at = created_at\n    self.updated_at = updated_at\n    self.completed_at = completed_at\n    self.archived_at = archived_at\n    self.files = [] if files is None else files": _init_3,
    "def __init__(self, id, text, correct_behavior='', verified_by='', agent=None, created_at=None, archived_at=None, supersedes=None, aging=None, files=None):\n    self.id = id\n    self.text = text\n    self.correct_behavior = correct_behavior\n    self.verified_by = verified_by\n    self.agent = agent\n    self.created_at = created_at\n    self.archived_at = archived_at\n    self.supersedes = supersedes\n    self.aging = aging\n    self.files = [] if files is None else files": _init_4,
    "def __init__(self, id, title, goal_id=None, description='', why=None, context=None, acceptance_criteria=None, tools=None, priority='medium', status='todo', agent=None, claimant=None, claimed_at=None, last_ping_at=None, summary=None, created_at=None, updated_at=None, completed_at=None, archived_at=None, blocked_by=None, files=None):\n    self.id = id\n    self.title = title\n    self.goal_id = goal_id\n    self.description = description\n    self.why = why\n    self.context = context\n    self.acceptance_criteria = acceptance_criteria\n    self.tools = [] if tools is None else tools\n    self.priority = priority\n    self.status = status\n    self.agent = agent\n    self.claimant = claimant\n    self.claimed_at = claimed_at\n    self.last_ping_at = last_ping_at\n    self.summary = summary\n    self.created_at = created_at\n    self.updated_at = updated_at\n    self.completed_at = completed_at\n    self.archived_at = archived_at\n    self.blocked_by = [] if blocked_by is None else blocked_by\n    self.files = [] if files is None else files": _init_5,
    "def __init__(self, id, what, why='', affects=None, decision_kind='decision', agent=None, created_at=None, archived_at=None, supersedes=None, aging=None, files=None):\n    self.id = id\n    self.what = what\n    self.why = why\n    self.affects = affects\n    self.decision_kind = decision_kind\n    self.agent = agent\n    self.created_at = created_at\n    self.archived_at = archived_at\n    self.supersedes = supersedes\n    self.aging = aging\n    self.files = [] if files is None else files": _init_6,
    'def __init__(self, kind, id, snippet, marks=(), rank=0.0):\n    self.kind = kind\n    self.id = id\n    self.snippet = snippet\n    self.marks = marks\n    self.rank = rank': _init_7,
    'def __init__(self, kind, record_id, ref, now):\n    self.kind = kind\n    self.record_id = record_id\n    self.ref = ref\n    self.now = now': _init_8,
    "def __init__(self, kind, record_id, ref, path, start=None, end=None, status='fresh'):\n    self.kind = kind\n    self.record_id = record_id\n    self.ref = ref\n    self.path = path\n    self.start = start\n    self.end = end\n    self.status = status": _init_9,
    "def __init__(self, path, is_glob=False, line_start=None, line_end=None, symbol=None, origin='explicit', anchor_text=None, commit=None, ref_id=None, now=None):\n    self.path = path\n    self.is_glob = is_glob\n    self.line_start = line_start\n    self.line_end = line_end\n    self.symbol = symbol\n    self.origin = origin\n    self.anchor_text = anchor_text\n    self.commit = commit\n    self.ref_id = ref_id\n    self.now = now": _init_10,
    'def __init__(self, path, line_start=None, line_end=None, symbol=None, text=None, commit=None):\n    self.path = path\n    self.line_start = line_start\n    self.line_end = line_end\n    self.symbol = symbol\n    self.text = text\n    self.commit = commit': _init_11,
    'def __init__(self, paths, ref_ids=frozenset(), stored=True):\n    self.paths = paths\n    self.ref_ids = ref_ids\n    self.stored = stored': _init_12,
    'def __init__(self, status, path, line_start=None, line_end=None, similarity=1.0):\n    self.status = status\n    self.path = path\n    self.line_start = line_start\n    self.line_end = line_end\n    self.similarity = similarity': _init_13,
}
