"""The reference that IMI's symbol finder is measured against: real parsers.

Python by the `ast` module, TypeScript, Go and Rust by tree-sitter's grammars (the
`tree-sitter-*` wheels of the test extra). Each gives, for one file, every top-level
function, class (struct, enum, trait, interface, type) and method, as
{qualified name: (first line, last line)}, 1-based, decorators and attributes included,
by the same rules IMI documents (docs/anchors.md):
- a name declared more than once in the same scope means its first declaration that has
  a body: overload signatures (`@overload` stubs, TypeScript signatures) are skipped for
  the implementation; a property's getter wins over its setter;
- methods are `Type.method`: a Go method by its receiver's type, a Rust method by the type
  its `impl` block is for (a trait's default method by the trait).
"""

from __future__ import annotations

import ast
import re

Spans = dict[str, tuple[int, int]]


def reference(text: str, language: str) -> Spans:
    """{qualified name: (first, last)} for one file's text, by a real parser."""
    if language == "python":
        return _python(text)
    return _tree_sitter(text, language)


# --- Python: the ast module ---------------------------------------------------------------------------------------

def _is_overload(node) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == "overload") or \
                (isinstance(target, ast.Attribute) and target.attr == "overload"):
            return True
    return False


def _python(text: str) -> Spans:
    spans: Spans = {}
    _python_scope(ast.parse(text).body, "", spans)
    return spans


def _python_scope(body, prefix: str, spans: Spans) -> None:
    chosen: dict[str, ast.AST] = {}
    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        known = chosen.get(node.name)
        if known is None or (_is_overload(known) and not _is_overload(node)):
            chosen[node.name] = node
    for name, node in chosen.items():
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        spans[prefix + name] = (first, node.end_lineno)
        if isinstance(node, ast.ClassDef):
            _python_scope(node.body, f"{prefix}{name}.", spans)


# --- TypeScript, Go, Rust: tree-sitter ---------------------------------------------------------------------------

_PARSERS: dict = {}


def _parser(language: str):
    if language not in _PARSERS:
        import tree_sitter

        if language == "ts":
            import tree_sitter_typescript as grammar

            lang = grammar.language_typescript()
        elif language == "go":
            import tree_sitter_go as grammar

            lang = grammar.language()
        else:
            import tree_sitter_rust as grammar

            lang = grammar.language()
        _PARSERS[language] = tree_sitter.Parser(tree_sitter.Language(lang))
    return _PARSERS[language]


def _name(node) -> str | None:
    name = node.child_by_field_name("name")
    return name.text.decode() if name is not None else None


def _span(first, last) -> tuple[int, int]:
    return first.start_point[0] + 1, last.end_point[0] + 1


_WRITABLE = re.compile(r"[\w$]+(?:\.[\w$]+)*")


class _Scope:
    """Declarations of one scope, keeping the first with a body for each name."""

    def __init__(self, prefix: str, spans: Spans):
        self.prefix, self.spans, self.has_body = prefix, spans, {}

    def add(self, name: str | None, span: tuple[int, int], has_body: bool = True) -> None:
        if not name or not _WRITABLE.fullmatch(name):  # `[Symbol.iterator]` cannot be named in `path#symbol`
            return
        key = self.prefix + name
        if key not in self.spans or (has_body and not self.has_body.get(key, True)):
            self.spans[key], self.has_body[key] = span, has_body


def _tree_sitter(text: str, language: str) -> Spans:
    tree = _parser(language).parse(text.encode("utf-8", "surrogatepass"))
    spans: Spans = {}
    {"ts": _ts_program, "go": _go_file, "rust": _rust_file}[language](tree.root_node, spans)
    return spans


def _with_decorators(node, kinds=("decorator",)):
    """The first node of a declaration: decorators or attributes right above it belong to it (a comment
    between two attributes does not part them: the compiler applies both)."""
    first, walker = node, node.prev_named_sibling
    while walker is not None and walker.type in kinds + ("line_comment", "block_comment"):
        if walker.type in kinds:
            first = walker
        walker = walker.prev_named_sibling
    return first


_TS_CLASSES = ("class_declaration", "abstract_class_declaration", "interface_declaration", "enum_declaration")
_TS_FUNCTIONS = ("function_declaration", "generator_function_declaration")


def _ts_program(root, spans: Spans) -> None:
    scope = _Scope("", spans)
    for statement in root.named_children:
        outer = statement
        inner = statement
        if statement.type == "export_statement":
            inner = statement.child_by_field_name("declaration")
            if inner is None:
                continue
        if inner.type in _TS_FUNCTIONS or inner.type == "function_signature":
            scope.add(_name(inner), _span(outer, outer), inner.type != "function_signature")
        elif inner.type in _TS_CLASSES:
            scope.add(_name(inner), _span(outer, outer))
            if inner.type in ("class_declaration", "abstract_class_declaration") and \
                    spans.get(_name(inner)) == _span(outer, outer):
                _ts_class(inner.child_by_field_name("body"), _Scope(_name(inner) + ".", spans))
        elif inner.type == "lexical_declaration" and len(inner.named_children) == 1:
            declarator = inner.named_children[0]
            value = declarator.child_by_field_name("value")
            if value is not None and value.type in ("arrow_function", "function_expression"):
                scope.add(_name(declarator), _span(outer, outer))


def _ts_class(body, scope: _Scope) -> None:
    for member in body.named_children:
        if member.type in ("method_definition", "method_signature", "abstract_method_signature"):
            scope.add(_name(member), _span(_with_decorators(member), member), member.type == "method_definition")


def _go_receiver_type(node) -> str | None:
    receiver = node.child_by_field_name("receiver")
    for param in receiver.named_children if receiver is not None else ():
        kind = param.child_by_field_name("type")
        while kind is not None and kind.type in ("pointer_type", "generic_type", "parenthesized_type"):
            kind = kind.child_by_field_name("type") or (kind.named_children[0] if kind.named_children else None)
        if kind is not None:
            return kind.text.decode()
    return None


def _go_file(root, spans: Spans) -> None:
    scope = _Scope("", spans)
    for decl in root.named_children:
        if decl.type == "function_declaration":
            scope.add(_name(decl), _span(decl, decl))
        elif decl.type == "method_declaration":
            owner = _go_receiver_type(decl)
            if owner:
                scope.add(f"{owner}.{_name(decl)}", _span(decl, decl))
        elif decl.type == "type_declaration":
            specs = [c for c in decl.named_children if c.type in ("type_spec", "type_alias")]
            grouped = any(c.type == "(" for c in decl.children)
            for spec in specs:
                scope.add(_name(spec), _span(spec, spec) if grouped else _span(decl, decl))


_RUST_ITEMS = ("function_item", "struct_item", "enum_item", "trait_item", "union_item", "type_item", "mod_item",
               "macro_definition", "function_signature_item")


def _rust_type_name(node) -> str | None:
    while node is not None and node.type in ("generic_type", "scoped_type_identifier", "reference_type"):
        node = node.child_by_field_name("type") or node.child_by_field_name("name")
    return node.text.decode() if node is not None and node.type == "type_identifier" else None


def _rust_file(root, spans: Spans) -> None:
    scope = _Scope("", spans)
    for item in root.named_children:
        first = _with_decorators(item, ("attribute_item",))
        if item.type in _RUST_ITEMS:
            scope.add(_name(item), _span(first, item))
            if item.type == "trait_item" and spans.get(_name(item)) == _span(first, item):
                _rust_methods(item.child_by_field_name("body"), _Scope(_name(item) + ".", spans))
        elif item.type == "impl_item":
            owner = _rust_type_name(item.child_by_field_name("type"))
            if owner:
                _rust_methods(item.child_by_field_name("body"), _Scope(owner + ".", spans))


def _rust_methods(body, scope: _Scope) -> None:
    for member in body.named_children if body is not None else ():
        if member.type in ("function_item", "function_signature_item"):
            first = _with_decorators(member, ("attribute_item",))
            scope.add(_name(member), _span(first, member), member.type == "function_item")
