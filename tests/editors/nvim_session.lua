-- A headless Neovim session driven by tests/editors/test_nvim.py: it uses the IMI config and
-- plugin as a user would (runtimepath + vim.lsp.enable), does what a user does, and writes what
-- a user would have seen to a JSON file. The Python test asserts on that file and on the
-- database the commands wrote to.
--
-- Environment: IMI_WS (workspace), IMI_OUT (the JSON file).
local ws, out_file = assert(vim.env.IMI_WS), assert(vim.env.IMI_OUT)
local seen = { steps = {} }
local TIMEOUT = 15000

local function save()
  local f = assert(io.open(out_file, 'w'))
  f:write(vim.json.encode(seen))
  f:close()
end

local function step(name)
  table.insert(seen.steps, name)
  save()
end

local function finish(code)
  save()
  for _, client in ipairs(vim.lsp.get_clients()) do client:stop(true) end
  vim.wait(3000, function() return #vim.lsp.get_clients() == 0 end, 50)
  os.exit(code)
end

-- what the server told the user (window/showMessage), and prompts answered like a user would
seen.messages = {}
local messages = require('imi.messages')
local show_message = messages.show
messages.show = function(params, ctx)
  table.insert(seen.messages, (params.type == 1 and 'error: ' or '') .. params.message)
  save()
  return show_message(params, ctx)
end
local answers = {}
local KEEP = {}  -- an answer that takes the text the prompt starts with
vim.ui.input = function(opts, on_confirm)
  table.insert(seen.prompts, opts.prompt)
  table.insert(seen.defaults, opts.default or vim.NIL)
  local answer = table.remove(answers, 1)
  on_confirm(answer == KEEP and opts.default or answer)
end
seen.prompts, seen.defaults = {}, {}
local choose  -- the next picker takes the item whose text has this, else the first
vim.ui.select = function(items, opts, on_choice)
  local texts = vim.tbl_map(opts.format_item or tostring, items)
  seen.select = { prompt = opts.prompt, items = texts }
  local index = 1
  for i, text in ipairs(texts) do
    if choose and text:find(choose, 1, true) then index = i end
  end
  choose = nil
  on_choice(items[index], index)
end

local function message_like(pattern)
  return vim.wait(TIMEOUT, function()
    for _, m in ipairs(seen.messages) do
      if m:find(pattern) then return true end
    end
    return false
  end, 50)
end

local function lenses(buf)
  local found = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.command then table.insert(found, { line = lens.range.start.line, title = lens.command.title }) end
  end
  table.sort(found, function(a, b) return a.line < b.line end)
  return found
end

local function wait_lenses(buf, n)
  vim.wait(TIMEOUT, function() return #lenses(buf) >= n end, 50)
  return lenses(buf)
end

local function diagnostics(buf)
  return vim.tbl_map(function(d)
    return { lnum = d.lnum, end_lnum = d.end_lnum, message = d.message, source = d.source, code = d.code,
             severity = vim.diagnostic.severity[d.severity] }
  end, vim.diagnostic.get(buf))
end

-- 1. the user's setup: the folder on the runtimepath (done by the test with --cmd), then this
vim.lsp.enable('imi')
seen.commands = {}
for _, name in ipairs({ 'ImiContext', 'ImiLesson', 'ImiDecide', 'ImiLog', 'ImiSearch', 'ImiStart', 'ImiComplete',
  'ImiReview', 'ImiAccept', 'ImiReject' }) do
  seen.commands[name] = vim.fn.exists(':' .. name) == 2
end
step('setup')

-- 2. open a file a lesson names: the client attaches, lenses appear without any request of ours
vim.cmd.edit(vim.fs.joinpath(ws, 'src', 'cache.py'))
local buf = vim.api.nvim_get_current_buf()
local attached = vim.wait(TIMEOUT, function()
  local c = vim.lsp.get_clients({ bufnr = buf, name = 'imi' })[1]
  return c ~= nil and c.initialized == true
end, 50)
local client = vim.lsp.get_clients({ bufnr = buf, name = 'imi' })[1]
seen.attached = attached
if not attached then finish(1) end
seen.root_dir = client.root_dir
seen.cmd = client.config.cmd
step('attached')
seen.lenses = wait_lenses(buf, 2)
step('lenses')

-- 3. an edit outside the lesson's lines says nothing; one inside it warns
vim.api.nvim_buf_set_lines(buf, 1, 1, false, { '# a comment far from the lesson' })
vim.wait(1500, function() return #vim.diagnostic.get(buf) > 0 end, 50)
seen.diagnostics_elsewhere = diagnostics(buf)
vim.api.nvim_buf_set_lines(buf, 12, 13, false, { '    entry = _entries.get(key)  # read without the lock' })
vim.wait(TIMEOUT, function() return #vim.diagnostic.get(buf) > 0 end, 50)
seen.diagnostics = diagnostics(buf)
step('diagnostics')

-- 4. the commands, each as a user types it
vim.cmd.edit(vim.fs.joinpath(ws, 'src', 'db.py'))
local db_buf = vim.api.nvim_get_current_buf()
vim.wait(TIMEOUT, function() return vim.lsp.get_clients({ bufnr = db_buf, name = 'imi' })[1] ~= nil end, 50)
seen.db_lenses_before = wait_lenses(db_buf, 1)

answers = { 'Reuse the connection; call connection() instead of sqlite3.connect' }
vim.cmd('9,12ImiLesson A second connect() broke WAL checkpoints')
seen.lesson_recorded = message_like('Recorded lesson')
step('ImiLesson')

answers = { 'The importer must not stall readers' }
vim.cmd('ImiDecide Import in batches of 500 rows')
seen.decision_recorded = message_like('Recorded decision')
step('ImiDecide')

vim.cmd('ImiLog Focus on the importer this week')
seen.note_recorded = message_like('Recorded note')
step('ImiLog')

-- the lenses of db.py follow the new lesson (the server asks the client to refresh them)
vim.wait(TIMEOUT, function()
  for _, l in ipairs(lenses(db_buf)) do
    if l.title:find('lesson') then return true end
  end
  return false
end, 50)
seen.db_lenses_after = lenses(db_buf)

-- no id: pick among the ready tasks, then among those in progress (the user's own first)
seen.start_completion = vim.fn.getcompletion('ImiStart ', 'cmdline')
vim.cmd('ImiStart')
seen.task_started = message_like('Started task')
seen.start_select = seen.select
step('ImiStart')

answers = { 'Documented the columns in docs/import.md' }
vim.cmd('ImiComplete')
seen.task_completed = message_like('Completed task')
seen.complete_select = seen.select
step('ImiComplete')

-- reading: views open as scratch buffers (no file, no second server); search results are a picker
local function wait_buffer(pattern)
  vim.wait(TIMEOUT, function() return vim.api.nvim_buf_get_name(0):find(pattern) ~= nil end, 50)
  local name = vim.api.nvim_buf_get_name(0)
  return { name = name, text = table.concat(vim.api.nvim_buf_get_lines(0, 0, 60, false), '\n'),
           buftype = vim.bo.buftype, filetype = vim.bo.filetype }
end
vim.cmd('ImiSearch checkpoints')
seen.search = wait_buffer('^imi://Lesson')
seen.search_select = seen.select
step('ImiSearch')
-- `ga` in the record's view: its actions in a picker; the first (Verify) runs on the server
vim.api.nvim_feedkeys('ga', 'x', false)
seen.actions_select = seen.select
seen.verified = message_like('Verified lesson')
step('actions')
-- <CR> on the file link opens the code at its lines
vim.fn.search('](src/db.py#L')
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
vim.wait(TIMEOUT, function() return vim.api.nvim_buf_get_name(0):find('db.py$') ~= nil end, 50)
seen.link = { name = vim.fs.basename(vim.api.nvim_buf_get_name(0)), line = vim.api.nvim_win_get_cursor(0)[1] }
step('link')
vim.cmd('ImiContext')
seen.context = wait_buffer('^imi://context')
step('ImiContext')
-- a lens runs its command client-side: the records behind it in a view
vim.cmd.edit(vim.fs.joinpath(ws, 'src', 'cache.py'))
vim.wait(TIMEOUT, function() return #lenses(buf) >= 2 end, 50)
vim.api.nvim_win_set_cursor(0, { 1, 0 })
vim.lsp.codelens.run()
seen.lens_view = wait_buffer('^imi://records')
seen.clients = #vim.lsp.get_clients({ name = 'imi' })
step('lens_view')

-- 5. review: claude-1's session ends and its stop hook proposes (`imi capture`, another process);
-- the count is pushed, :ImiReview lists the proposals, one is accepted edited, one rejected
local review = require('imi.review')
local pushed = {}
vim.api.nvim_create_autocmd('User', { pattern = 'ImiPendingReview', callback = function(ev) table.insert(pushed, ev.data.count) end })
local events = vim.fs.joinpath(vim.fs.dirname(out_file), 'session-events.json')
vim.fn.writefile({ vim.json.encode({
  { kind = 'shell', command = 'pytest tests/test_cache.py', ok = false },
  { kind = 'edit', paths = { 'src/cache.py' } },
  { kind = 'shell', command = 'pytest tests/test_cache.py', ok = true },
}) }, events)
local captured = vim.system({ 'imi', 'capture', '--events', events, '--session', 'sess-7' },
  { cwd = ws, env = { IMI_AGENT_ID = 'claude-1' } }):wait()
seen.capture_code = captured.code
seen.review_arrived = vim.wait(TIMEOUT, function() return review.count == 2 end, 50)
seen.review_status = review.status()
vim.cmd('ImiReview')
seen.review_view = wait_buffer('^imi://IMI: pending review')
step('ImiReview')
vim.fn.search([[\*\*lesson\*\* \[.*imi:proposal/]])  -- the lesson's link (the task summary came first)
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
seen.proposal_view = wait_buffer('^imi://Proposal:')
choose, answers = 'Accept edited', { 'tests/test_cache.py failed until get() took cache_lock', KEEP }
seen.defaults = {}
vim.api.nvim_feedkeys('ga', 'x', false)
seen.proposal_actions = seen.select.items
seen.accepted = message_like('Accepted: lesson')
seen.edit_defaults = seen.defaults
vim.wait(TIMEOUT, function() return review.count == 1 end, 50)
seen.proposal_after = wait_buffer('^imi://Proposal:')
vim.wait(TIMEOUT, function()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'):find('Accepted by') ~= nil
end, 50)
seen.proposal_after.text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
step('accepted')
vim.cmd('ImiReject')  -- no id: pick among the pending (the summary is the one left)
seen.rejected = message_like('Rejected summary proposal')
seen.reject_select = seen.select
vim.wait(TIMEOUT, function() return review.count == 0 end, 50)
seen.review_status_after = review.status()
seen.pushed = pushed
step('rejected')

-- 6. a command the server refuses: one message, and the server keeps serving
vim.cmd('ImiComplete no-such-task Did nothing')
seen.refused = message_like('^error: .*no%-such%-task')
seen.alive_after = not client:is_stopped()
step('done')
finish(0)
