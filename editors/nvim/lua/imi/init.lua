--- IMI for Neovim 0.11+: user commands, and code lenses kept fresh (0.11 shows lenses only
--- when asked). The server itself is configured by `lsp/imi.lua`; enable it with
--- `vim.lsp.enable('imi')`, or call `require('imi').setup({ enable = true })`.
local M = {}

local group = vim.api.nvim_create_augroup('imi', { clear = true })

--- The lesson warnings are worth reading where they are: virtual text for imi's diagnostics only
--- (Neovim 0.11 shows none by default), unless they already show (`setup({ virtual_text = false })`
--- keeps Neovim's default).
---@param client_id integer
local function show_warnings(client_id)
  local ns = vim.lsp.diagnostic.get_namespace(client_id, false)
  local config = vim.diagnostic.config(nil, ns) or {}
  if not config.virtual_text then
    vim.diagnostic.config({ virtual_text = { prefix = '⚑' } }, ns)
  end
end

---@class imi.Options
---@field enable? boolean also call vim.lsp.enable('imi') (default false: you do it)
---@field commands? boolean create :ImiContext, :ImiLesson, ... (default true)
---@field codelens? boolean keep code lenses fresh: after edits and memory changes, resolving only those in view (default true)
---@field virtual_text? boolean show imi's warnings as virtual text (default true; Neovim's default shows none)

---@param opts? imi.Options
function M.setup(opts)
  opts = vim.tbl_extend('force', { enable = false, commands = true, codelens = true, virtual_text = true }, opts or {})
  vim.api.nvim_clear_autocmds({ group = group })
  if opts.commands then require('imi.commands').create() end
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    desc = 'IMI: lenses and warnings',
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      if not client or client.name ~= 'imi' then return end
      if opts.virtual_text then show_warnings(client.id) end
      require('imi.review').fetch(client)
      if opts.codelens and client:supports_method('textDocument/codeLens') then
        require('imi.lenses').attach(ev.buf, client.id)
      end
    end,
  })
  if opts.enable then vim.lsp.enable('imi') end
end

return M
