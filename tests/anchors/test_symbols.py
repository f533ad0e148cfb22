"""Finding symbols in Python, TypeScript/JavaScript, Go and Rust without a toolchain."""

from __future__ import annotations

import pytest

from imi_cli.memory.anchors.symbols import find_symbol

PYTHON = """import os


@cached
def refresh_token(token,
                  grace=60):
    if token.expired:
        return renew(token)

    return token


class Cache:
    def get(self, key):
        return self.data[key]

    async def put(self, key, value):
        self.data[key] = value
"""

TYPESCRIPT = """import { x } from "y";

export async function refresh(token: string): Promise<void> {
  const braces = "}{";  // }
  if (token) { await renew(token); }
}

export class Store {
  private get(key: string): number {
    get(key);
    return 1;
  }
}

export const handler = async (req: Request) => {
  return 1;
};

export type Id = string;
"""

GO = """package auth

func (s *Server) Refresh(w http.ResponseWriter, r *http.Request) {
\tif r == nil {
\t\treturn
\t}
}

type Config struct {
\tGrace int
}
"""

RUST = """use std::fmt;

#[derive(Debug)]
pub struct Token {
    grace: u32,
}

impl Token {
    pub async fn refresh(&mut self) -> Result<(), Error> {
        let s = "}";
        Ok(())
    }
}
"""


@pytest.mark.parametrize("source, path, symbol, lines", [
    (PYTHON, "a.py", "refresh_token", (4, 10)),
    (PYTHON, "a.py", "Cache", (13, 18)),
    (PYTHON, "a.py", "Cache.get", (14, 15)),
    (PYTHON, "a.py", "Cache.put", (17, 18)),
    (TYPESCRIPT, "a.ts", "refresh", (3, 6)),
    (TYPESCRIPT, "a.tsx", "Store", (8, 13)),
    (TYPESCRIPT, "a.ts", "Store.get", (9, 12)),
    (TYPESCRIPT, "a.js", "handler", (15, 17)),
    (TYPESCRIPT, "a.ts", "Id", (19, 19)),
    (GO, "a.go", "Refresh", (3, 7)),
    (GO, "a.go", "Config", (9, 11)),
    (RUST, "a.rs", "Token", (3, 6)),
    (RUST, "a.rs", "Token.refresh", (9, 12)),
])
def test_finds_the_declaration_and_its_body(source, path, symbol, lines):
    assert find_symbol(source.splitlines(), path, symbol) == lines


@pytest.mark.parametrize("source, path, symbol", [
    (PYTHON, "a.py", "missing"),
    (PYTHON, "a.py", "Cache.missing"),
    (PYTHON, "a.txt", "refresh_token"),   # not a language we know
    (TYPESCRIPT, "a.ts", "if"),
    (GO, "a.go", "Server"),               # a receiver type, not declared here
])
def test_missing_symbols_are_none(source, path, symbol):
    assert find_symbol(source.splitlines(), path, symbol) is None


RULES_PY = '''import typing as t


@t.overload
def load(x: int) -> int: ...
@t.overload
def load(x: str) -> str: ...
def load(x):
    value = x
# a comment at column 0 does not end the function
    return value


class Box:
    @property
    def size(self):
        return self._size

    @size.setter
    def size(self, value):
        self._size = value

    def helper(self):
        def size():  # nested: not Box.size
            return 0
        text = """
def size():
"""
        return size()


@pytest.mark.parametrize(
    "a", [1, 2],
)
def test_many(a):
    assert a
'''

RULES_TS = '''export function on(kind: "a"): void;
export function on(kind: "b"): void;
export function on(kind: string): void {
  listen(kind);
}

export class Cache<T> {
  get(key: string): T;
  get(key: number): T;
  get(key: string | number): T {
    return this.map[key];
  }

  find<
    TData = unknown,
  >(filter: string): TData {
    return this.lookup(filter);
  }
}
'''

RULES_GO = '''package x

type (
\tID   string
\tName string
)

func (c *Cache[K]) Get(key K) int {
\treturn c.m[key]
}

type Handler func(w Writer) error
'''

RULES_RUST = '''pub struct Token(u32);

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

pub trait Renew {
    fn renew(&self) -> bool;
    fn force(&self) -> bool {
        true
    }
}
'''


@pytest.mark.parametrize("source, path, symbol, lines", [
    (RULES_PY, "a.py", "load", (8, 11)),               # the implementation, not the @overload stubs
    (RULES_PY, "a.py", "Box.size", (15, 17)),          # the getter before the setter
    (RULES_PY, "a.py", "Box.helper", (23, 29)),        # a string that looks like code is not a declaration
    (RULES_PY, "a.py", "test_many", (32, 36)),         # a decorator over several lines belongs to it
    (RULES_TS, "a.ts", "on", (3, 5)),                  # overload signatures give way to the implementation
    (RULES_TS, "a.ts", "Cache.get", (10, 12)),
    (RULES_TS, "a.ts", "Cache.find", (14, 18)),        # type parameters on the lines below the name
    (RULES_GO, "a.go", "Name", (5, 5)),                # a grouped type declaration
    (RULES_GO, "a.go", "Cache.Get", (8, 10)),          # a method by its receiver's type
    (RULES_GO, "a.go", "Handler", (12, 12)),           # a declaration without braces ends with its line
    (RULES_RUST, "a.rs", "Token", (1, 1)),
    (RULES_RUST, "a.rs", "Token.fmt", (4, 6)),         # a trait's impl counts for the type
    (RULES_RUST, "a.rs", "Renew.force", (11, 13)),
    (RULES_RUST, "a.rs", "Renew.renew", (10, 10)),
])
def test_naming_rules(source, path, symbol, lines):
    assert find_symbol(source.splitlines(), path, symbol) == lines
