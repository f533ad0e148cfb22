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
