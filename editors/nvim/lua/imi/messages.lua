--- What the server tells the user (`window/showMessage`), shown as one line that fits the command
--- line, so a long or a second message never stops Neovim at a "Press ENTER" prompt. The line is
--- kept in :messages.
local M = {}

local HIGHLIGHT = { [1] = 'ErrorMsg', [2] = 'WarningMsg' }

--- One line of `text` that fits in `room` display cells.
---@param text string
---@param room integer
---@return string
function M.one_line(text, room)
  local line = text:gsub('%s*\n%s*', ' · ')
  if vim.fn.strdisplaywidth(line) > room then line = vim.fn.strcharpart(line, 0, room - 1) .. '…' end
  return line
end

---@param params lsp.ShowMessageParams
function M.show(params, _)
  vim.schedule(function()
    local line = M.one_line(params.message or '', math.max(vim.v.echospace - 1, 20))
    vim.cmd('redraw') -- a new message replaces the last one instead of stacking under it
    vim.api.nvim_echo({ { line, HIGHLIGHT[params.type] or 'Normal' } }, true, {})
  end)
  return vim.NIL
end

return M
