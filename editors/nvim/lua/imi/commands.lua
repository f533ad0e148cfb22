--- The user commands: :ImiContext :ImiFile :ImiLesson :ImiDecide :ImiLog :ImiSearch :ImiStart
--- :ImiComplete :ImiInit, and for review :ImiReview :ImiAccept :ImiReject. Each collects what it needs (its arguments, else vim.ui.input or
--- vim.ui.select) and calls the server's command with explicit arguments.
local server = require('imi.server')
local views = require('imi.views')
local review = require('imi.review')

local M = {}

--- Ask for a line of text; `done` gets it trimmed, or is not called when the answer is empty.
---@param prompt string
---@param given? string
---@param done fun(text: string)
local function ask(prompt, given, done)
  if given and vim.trim(given) ~= '' then return done(vim.trim(given)) end
  vim.ui.input({ prompt = prompt }, function(text)
    if text and vim.trim(text) ~= '' then done(vim.trim(text)) end
  end)
end

--- Every task in the memory, with the agent id the server records as.
---@param tree table
---@return table[] tasks, string? me
local function tasks(tree)
  local found = {}
  for _, folder in ipairs(tree and tree.folders or {}) do
    for _, goal in ipairs(folder.goals or {}) do vim.list_extend(found, goal.tasks or {}) end
    vim.list_extend(found, folder.tasks or {})
  end
  return found, tree and tree.agent
end

--- Tasks that can be started (ready ones when the server says so).
---@param tree table
function M.startable(tree)
  return vim.tbl_filter(function(t) return t.status == 'todo' and t.ready ~= false end, (tasks(tree)))
end

--- Tasks in progress, the user's own first.
---@param tree table
function M.in_progress(tree)
  local all, me = tasks(tree)
  local mine, others = {}, {}
  for _, t in ipairs(all) do
    if t.status == 'in_progress' then table.insert(t.claimant == me and mine or others, t) end
  end
  return vim.list_extend(mine, others)
end

--- Pick a task from `list` (shown even when there is one: the user sees what gets claimed), then call `done` with its id.
local function pick(list, prompt, done)
  vim.ui.select(list, {
    prompt = prompt,
    format_item = function(t)
      return string.format('%s (%s%s)', t.title, t.id, t.claimant and (', ' .. t.claimant) or '')
    end,
  }, function(choice)
    if choice then done(choice.id) end
  end)
end

--- Tasks as completion candidates: ids, from the server's memory.
local function complete_tasks(filter)
  return function(lead)
    local tree = server.tree_sync()
    if not tree then return {} end
    local ids = vim.tbl_map(function(t) return t.id end, filter(tree))
    return vim.tbl_filter(function(id) return vim.startswith(id, lead) end, ids)
  end
end

--- `{ uri = <current file> }` when the file is in one of the server's workspace folders, else nil
--- (a view or a file elsewhere: the server then uses the folder of the last file worked in).
local function folder_args()
  local uri = server.file_uri(vim.api.nvim_get_current_buf())
  return uri and server.in_workspace(uri) and { uri = uri } or nil
end

--- A review command: the proposal given, else one picked among the pending, goes to `command`.
local function decide(verb, command, desc)
  return {
    desc = 'IMI: ' .. desc,
    nargs = '?',
    run = function(opts)
      review.pick(opts.args, verb .. ' which proposal?', function(id) server.exec(command, { id = id }) end)
    end,
  }
end

M.commands = {
  ImiContext = {
    desc = 'IMI: show the project context',
    run = function()
      if not server.offers('imi.readView') then return server.exec('imi.showContext', folder_args()) end
      views.open(vim.tbl_extend('force', folder_args() or {}, { view = 'context' }))
    end,
  },
  ImiFile = {
    desc = 'IMI: show the memory that names this file',
    run = function()
      local args = folder_args()
      if not args then return server.notify('open a file of the workspace first', vim.log.levels.WARN) end
      if not server.offers('imi.readView') then return server.exec('imi.showFileMemory', args) end
      views.open({ view = 'file', uri = args.uri })
    end,
  },
  ImiLesson = {
    desc = 'IMI: record a lesson here (with a range: anchored to those lines)',
    nargs = '*', range = true,
    run = function(opts)
      local anchor = server.anchor(opts)
      ask('Lesson (what went wrong): ', opts.args, function(text)
        ask('Correct behaviour: ', nil, function(correct)
          server.exec('imi.recordLesson', vim.tbl_extend('force', anchor, { text = text, correctBehavior = correct }))
        end)
      end)
    end,
  },
  ImiDecide = {
    desc = 'IMI: record a decision here (with a range: anchored to those lines)',
    nargs = '*', range = true,
    run = function(opts)
      local anchor = server.anchor(opts)
      ask('Decision (what): ', opts.args, function(what)
        ask('Why: ', nil, function(why)
          server.exec('imi.recordDecision', vim.tbl_extend('force', anchor, { what = what, why = why }))
        end)
      end)
    end,
  },
  ImiLog = {
    desc = 'IMI: log a direction note',
    nargs = '*',
    run = function(opts)
      ask('Note: ', opts.args, function(text) server.exec('imi.recordNote', { text = text }) end)
    end,
  },
  ImiSearch = {
    desc = 'IMI: search the project memory',
    nargs = '*',
    run = function(opts)
      ask('Search IMI memory: ', opts.args, function(query)
        if not server.offers('imi.find') then
          return server.exec('imi.search', vim.tbl_extend('force', folder_args() or {}, { query = query }))
        end
        views.search(query)
      end)
    end,
  },
  ImiStart = {
    desc = 'IMI: start (claim) a task',
    nargs = '?',
    complete = complete_tasks(M.startable),
    run = function(opts)
      local start = function(id) server.exec('imi.startTask', { taskId = id }) end
      if opts.args ~= '' then return start(opts.args) end
      if not server.offers('imi.memoryTree') then return server.exec('imi.startTask') end
      server.exec('imi.memoryTree', nil, function(tree)
        local list = M.startable(tree)
        if #list == 0 then return server.notify('no task is ready to start') end
        pick(list, 'Start which task?', start)
      end)
    end,
  },
  ImiComplete = {
    desc = 'IMI: complete a task: [ID] [summary]',
    nargs = '*',
    complete = complete_tasks(M.in_progress),
    run = function(opts)
      local id, summary = opts.args:match('^(%S+)%s*(.*)$')
      local finish = function(task_id)
        ask('What was done (summary): ', summary, function(text)
          server.exec('imi.completeTask', { taskId = task_id, summary = text })
        end)
      end
      if id then return finish(id) end
      if not server.offers('imi.memoryTree') then return server.exec('imi.completeTask') end
      server.exec('imi.memoryTree', nil, function(tree)
        local list = M.in_progress(tree)
        if #list == 0 then return server.notify('no task is in progress') end
        pick(list, 'Complete which task?', finish)
      end)
    end,
  },
  ImiReview = {
    desc = 'IMI: the proposals waiting for review (<CR> on one opens it, `ga` accepts or rejects)',
    run = function() views.open({ view = 'review' }) end,
  },
  ImiAccept = decide('Accept', 'imi.acceptProposal', 'accept a proposal as it is: [ID] (without one, pick among the pending)'),
  ImiReject = decide('Reject', 'imi.rejectProposal', 'reject a proposal (it is not proposed again): [ID]'),
  ImiInit = {
    desc = 'IMI: create the project memory (.imi/) in this workspace folder',
    run = function() server.exec('imi.init') end,
  },
}

--- Create the user commands (again: safe to call twice).
function M.create()
  for name, spec in pairs(M.commands) do
    vim.api.nvim_create_user_command(name, spec.run, {
      desc = spec.desc, nargs = spec.nargs or 0, range = spec.range, complete = spec.complete, force = true,
    })
  end
end

return M
