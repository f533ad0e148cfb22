--- Talking to the imi language server: find its client, run its commands, build their arguments.
local M = {}

M.name = 'imi'

--- The imi client attached to `bufnr`, else any running imi client.
---@param bufnr integer
---@return vim.lsp.Client?
function M.client(bufnr)
  return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })[1] or vim.lsp.get_clients({ name = M.name })[1]
end

---@param message string
---@param level? integer
function M.notify(message, level)
  vim.notify('IMI: ' .. message, level or vim.log.levels.INFO)
end

--- Fetch the lenses of every buffer the client shows them in again (after a write).
---@param client vim.lsp.Client
function M.refresh_lenses(client)
  require('imi.lenses').refresh_client(client.id)
end

--- Commands that only read: no lens refresh after them.
local READS = { ['imi.readView'] = true, ['imi.find'] = true, ['imi.memoryTree'] = true, ['imi.fileRecords'] = true,
  ['imi.proposals'] = true, ['imi.pendingCount'] = true }

--- Run a server command with one object as its argument (nil: no arguments at all).
---@param command string
---@param args? table
---@param on_result? fun(result: any)
function M.exec(command, args, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    M.notify("the imi language server is not running: vim.lsp.enable('imi'), with imi-lsp installed "
      .. '(pip install imi-memory)', vim.log.levels.ERROR)
    return
  end
  client:exec_cmd({ title = command, command = command, arguments = args and { args } or nil }, { bufnr = bufnr },
    function(err, result)
      if err then
        M.notify(command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      if not READS[command] then M.refresh_lenses(client) end
      if on_result then on_result(result) end
    end)
end

--- Whether the running server offers a command (older servers lack newer ones).
---@param command string
---@return boolean
function M.offers(command)
  local client = M.client(vim.api.nvim_get_current_buf())
  local provider = client and client.server_capabilities.executeCommandProvider
  return type(provider) == 'table' and vim.list_contains(provider.commands or {}, command)
end

--- The memory as `imi.memoryTree` answers it, synchronously (for completion), or nil.
---@param timeout_ms? integer
---@return table?
function M.tree_sync(timeout_ms)
  local client = M.client(vim.api.nvim_get_current_buf())
  if not client or not M.offers('imi.memoryTree') then return nil end
  local answer = client:request_sync('workspace/executeCommand', { command = 'imi.memoryTree' }, timeout_ms or 1000)
  return answer and answer.result or nil
end

--- The current buffer's URI, or nil when it is not a file.
---@param bufnr integer
---@return string?
function M.file_uri(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.bo[bufnr].buftype ~= '' or name == '' then return nil end
  return vim.uri_from_fname(name)
end

--- Whether a file URI lies in one of the imi client's workspace folders.
---@param uri string
---@return boolean
function M.in_workspace(uri)
  local client = M.client(vim.api.nvim_get_current_buf())
  local path = vim.uri_to_fname(uri)
  for _, folder in ipairs(client and client.workspace_folders or {}) do
    local root = vim.uri_to_fname(folder.uri)
    if path == root or vim.startswith(path, root .. '/') then return true end
  end
  return false
end

--- Where a record is anchored: the current file, and the command's line range when it was given
--- one (`:'<,'>ImiLesson`). Whole lines: the range ends at the start of the line after.
---@param opts { range: integer, line1: integer, line2: integer }
---@return table anchor `{ uri = ..., range = ... }` or `{}` when the buffer is not a file
function M.anchor(opts)
  local uri = M.file_uri(vim.api.nvim_get_current_buf())
  if not uri then return {} end
  local anchor = { uri = uri }
  if opts.range and opts.range > 0 then
    anchor.range = {
      start = { line = opts.line1 - 1, character = 0 },
      ['end'] = { line = opts.line2, character = 0 },
    }
  end
  return anchor
end

return M
