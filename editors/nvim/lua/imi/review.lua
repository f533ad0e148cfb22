--- Proposals waiting for review: the count (for your statusline), and :ImiReview / :ImiAccept /
--- :ImiReject. The server pushes the count (`imi/pendingReview`) whenever it changes: a session's
--- stop hook proposed a lesson, someone accepted one in a terminal. Each change also fires
--- `User ImiPendingReview` (data: { count = N }), and a rise says so once on the command line.
local server = require('imi.server')

local M = {}

---@type integer how many proposals wait, in every folder of the imi client
M.count = 0

--- Take a count the server sent (or answered).
---@param params { count: integer }?
function M.set(params)
  local count = type(params) == 'table' and tonumber(params.count) or nil
  if not count then return end
  local before = M.count
  M.count = count
  if count > before then
    server.notify(string.format('%d proposal%s to review (:ImiReview)', count, count == 1 and '' or 's'))
  end
  vim.api.nvim_exec_autocmds('User', { pattern = 'ImiPendingReview', data = { count = count }, modeline = false })
  pcall(vim.cmd.redrawstatus)
end

--- The notification handler (`handlers` of lsp/imi.lua).
function M.on_pending(_, params, _)
  vim.schedule(function() M.set(params) end)
end

--- Ask the server for the count now (when the client attaches; later changes are pushed).
---@param client vim.lsp.Client
function M.fetch(client)
  local provider = client.server_capabilities.executeCommandProvider
  if type(provider) ~= 'table' or not vim.list_contains(provider.commands or {}, 'imi.pendingCount') then return end
  client:request('workspace/executeCommand', { command = 'imi.pendingCount' }, function(err, result)
    if not err then vim.schedule(function() M.set(result) end) end
  end)
end

--- For a statusline: "IMI: 3 to review", or '' when nothing waits.
---@return string
function M.status()
  return M.count > 0 and string.format('IMI: %d to review', M.count) or ''
end

--- Pick a pending proposal (or take `id`), then call `done` with its id.
---@param id string?
---@param prompt string
---@param done fun(id: string)
function M.pick(id, prompt, done)
  if id and id ~= '' then return done(id) end
  server.exec('imi.proposals', nil, function(answer)
    local list = type(answer) == 'table' and answer.proposals or {}
    if #list == 0 then return server.notify('no proposals wait for review') end
    vim.ui.select(list, {
      prompt = prompt,
      kind = 'imi_proposal',
      format_item = function(p)
        return string.format('%s: %s (%s%s)', p.kind, p.title, p.id, p.session ~= vim.NIL and p.session and (', session ' .. p.session) or '')
      end,
    }, function(choice)
      if choice then done(choice.id) end
    end)
  end)
end

return M
