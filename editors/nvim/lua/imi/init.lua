--- IMI for Neovim 0.11+: user commands, and code lenses kept fresh (0.11 shows lenses only
--- when asked). The server itself is configured by `lsp/imi.lua`; enable it with
--- `vim.lsp.enable('imi')`, or call `require('imi').setup({ enable = true })`.
local M = {}

local group = vim.api.nvim_create_augroup('imi', { clear = true })

--- When lenses are fetched again in a buffer the server is attached to.
M.lens_events = { 'BufEnter', 'CursorHold', 'InsertLeave', 'BufWritePost' }

---@param bufnr integer
local function watch_lenses(bufnr)
  vim.lsp.codelens.refresh({ bufnr = bufnr })
  vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
  vim.api.nvim_create_autocmd(M.lens_events, {
    group = group,
    buffer = bufnr,
    desc = 'IMI: refresh code lenses',
    callback = function(ev) vim.lsp.codelens.refresh({ bufnr = ev.buf }) end,
  })
end

---@class imi.Options
---@field enable? boolean also call vim.lsp.enable('imi') (default false: you do it)
---@field commands? boolean create :ImiContext, :ImiLesson, ... (default true)
---@field codelens? boolean refresh code lenses on attach and on BufEnter/CursorHold/InsertLeave (default true)

---@param opts? imi.Options
function M.setup(opts)
  opts = vim.tbl_extend('force', { enable = false, commands = true, codelens = true }, opts or {})
  vim.api.nvim_clear_autocmds({ group = group })
  if opts.commands then require('imi.commands').create() end
  if opts.codelens then
    vim.api.nvim_create_autocmd('LspAttach', {
      group = group,
      desc = 'IMI: show code lenses',
      callback = function(ev)
        local client = vim.lsp.get_client_by_id(ev.data.client_id)
        if client and client.name == 'imi' and client:supports_method('textDocument/codeLens') then
          watch_lenses(ev.buf)
        end
      end,
    })
  end
  if opts.enable then vim.lsp.enable('imi') end
end

return M
