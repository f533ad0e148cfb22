---@brief
---
--- IMI project memory: lenses over files and ranges that lessons, decisions and tasks name,
--- hovers with the records, and a warning when an edit touches an area with a recorded lesson.
---
--- Install the server with IMI (`pip install imi-memory` or `pipx install imi-memory`), then:
---
--- ```lua
--- vim.lsp.enable('imi')
--- ```
---
--- It attaches to every file type. The settings below are the defaults; override them with
--- `vim.lsp.config('imi', { settings = { imi = { diagnostics = { severity = 'hint' } } } })`.
--- Neovim 0.11 shows code lenses only when asked: `plugin/imi.lua` of this folder refreshes them
--- (and adds `:ImiContext`, `:ImiLesson`, ...); without it, call `vim.lsp.codelens.refresh()`.

local settings = {
  imi = {
    codeLens = { enable = true },
    diagnostics = { enable = true, severity = 'warning' },
    kinds = { 'lesson', 'decision', 'task', 'goal', 'note' },
  },
}

---@type vim.lsp.Config
return {
  cmd = vim.fn.executable('imi-lsp') == 1 and { 'imi-lsp' } or { 'python3', '-m', 'imi_lsp' },
  root_markers = { '.imi', '.git' },
  init_options = settings,
  settings = settings,
  capabilities = {
    -- the handler below makes lenses follow writes by the CLI or another agent
    workspace = { codeLens = { refreshSupport = true } },
  },
  handlers = {
    -- the memory changed (the CLI, another agent): lenses are fetched again, visible ones resolved
    ['workspace/codeLens/refresh'] = function(_, _, ctx)
      local ok, lenses = pcall(require, 'imi.lenses')
      if ok then
        lenses.refresh_client(ctx.client_id)
      else
        for bufnr in pairs(vim.lsp.get_client_by_id(ctx.client_id).attached_buffers or {}) do
          if vim.api.nvim_buf_is_loaded(bufnr) then vim.lsp.codelens.refresh({ bufnr = bufnr }) end
        end
      end
      return vim.NIL
    end,
    -- how many proposals wait for review, pushed whenever it changes (require('imi.review').status())
    ['imi/pendingReview'] = function(err, params, ctx)
      local ok, review = pcall(require, 'imi.review')
      if ok then review.on_pending(err, params, ctx) end
    end,
    -- one line, never a "Press ENTER" prompt; the whole message stays in :messages
    ['window/showMessage'] = function(_, params, ctx)
      local ok, messages = pcall(require, 'imi.messages')
      if ok then return messages.show(params, ctx) end
      return vim.lsp.handlers['window/showMessage'](nil, params, ctx)
    end,
  },
  -- views (a record, a lens's records, the context) open as scratch buffers, not files
  commands = (function()
    local ok, views = pcall(require, 'imi.views')
    return ok and views.commands or nil
  end)(),
}
