--- Read-only views of the memory (a record, the records behind a lens, a file's memory, the
--- context, proposals waiting for review) in scratch buffers: markdown from the server's
--- `imi.readView`, no file on disk, so no second language server attaches to them. In a view, <CR>
--- on a link opens the code at its lines (or the record or proposal it names) and `ga` offers the
--- page's actions (verify, supersede, archive, start, complete; accept, accept edited, reject).
local server = require('imi.server')

local M = {}

---@type table<integer, table> view buffer -> the page it shows
local pages = {}
---@type table<integer, table> view buffer -> the request that made it (shown again after an action)
local requests = {}

--- The buffer of a view, made once per title.
local function buffer(title)
  local name = 'imi://' .. title
  local existing = vim.fn.bufnr(name)
  if existing ~= -1 and vim.api.nvim_buf_is_valid(existing) then return existing end
  local buf = vim.api.nvim_create_buf(true, true) -- listed, scratch: buftype=nofile, never written
  vim.api.nvim_buf_set_name(buf, name)
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.keymap.set('n', '<CR>', function() M.follow(buf) end, { buffer = buf, desc = 'IMI: open the file link under the cursor' })
  vim.keymap.set('n', 'ga', function() M.actions(buf) end, { buffer = buf, desc = "IMI: the record's actions" })
  return buf
end

--- Show a page (what `imi.readView` answers) in the current window.
---@param page { title: string, markdown: string, actions: table[], root: string? }
---@param request? table the request it answers
function M.show(page, request)
  local buf = buffer(page.title)
  pages[buf] = page
  requests[buf] = request
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(page.markdown, '\n', { plain = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = 'markdown'
  vim.api.nvim_set_current_buf(buf)
end

--- Ask the server for a view and show it.
---@param request table `{ view = 'record', id = ... }`, `{ view = 'context' }`, ...
function M.open(request)
  server.exec('imi.readView', request, function(page)
    if type(page) == 'table' and type(page.markdown) == 'string' then M.show(page, request) end
  end)
end

--- The view a server command opens (a lens, a hover link, a code action), as a client-side
--- command: the server would write a file and open it as a buffer instead.
---@param command lsp.Command
function M.from_command(command)
  local args = command.arguments or {}
  local first = args[1]
  local options = type(first) == 'table' and first or nil
  local name = command.command
  if name == 'imi.showRecord' then
    return M.open({ view = 'record', id = options and options.id or first })
  elseif name == 'imi.showRecords' then
    local uri = options and options.uri or first
    return M.open({ view = 'records', uri = uri, start = options and options.start or args[2], ['end'] = options and options['end'] or args[3] })
  elseif name == 'imi.showFileMemory' then
    return M.open({ view = 'file', uri = options and options.uri or first })
  elseif name == 'imi.showContext' then
    return M.open({ view = 'context', uri = options and options.uri or first })
  end
end

--- The client-side commands that show views (for `vim.lsp.Config.commands`).
M.commands = {}
for _, name in ipairs({ 'imi.showRecord', 'imi.showRecords', 'imi.showFileMemory', 'imi.showContext' }) do
  M.commands[name] = function(command) M.from_command(command) end
end

--- Open what a link under the cursor names: a file at its lines (`[label](src/a.py#L3-L4)`), or a
--- record or proposal (`imi:record/ID`, `imi:proposal/ID`) in its view.
---@param buf integer
function M.follow(buf)
  local page = pages[buf]
  local line = vim.api.nvim_get_current_line()
  local target = line:match('%]%(([^)]+)%)')
  if not page or not target then return end
  local view, id = target:match('^imi:(%a+)/(.+)$')
  if view == 'record' or view == 'proposal' then return M.open({ view = view, id = id }) end
  if target:match('^%a[%w+.-]*:') then return end
  local path, first = target:match('^([^#]+)#L(%d+)')
  path = vim.uri_decode and vim.uri_decode(path or target) or (path or target)
  vim.cmd.edit(vim.fn.fnameescape(vim.fs.joinpath(page.root or vim.fn.getcwd(), path)))
  if first then vim.api.nvim_win_set_cursor(0, { tonumber(first), 0 }) end
end

local PROMPTS = { summary = 'What was done (summary): ', what = 'What replaces it: ', why = 'Why: ' }

--- Pick one of the page's actions and run it (asking for its text first: the server's question and
--- starting text when it gives them), then show the page again.
---@param buf integer
function M.actions(buf)
  local page = pages[buf]
  if not page or not page.actions or #page.actions == 0 then return server.notify('no actions here') end
  local request = requests[buf] or { view = 'record', id = page.id }
  vim.ui.select(page.actions, { prompt = 'IMI action', format_item = function(a) return a.title end }, function(action)
    if not action then return end
    local args = vim.deepcopy(action.arguments and action.arguments[1] or {})
    local questions = vim.split(action.ask or '', ',', { trimempty = true })
    local function ask(i)
      if i > #questions then
        return server.exec(action.command, args, function() M.open(request) end)
      end
      local key = questions[i]
      local prompt = action.prompts and action.prompts[key] and (action.prompts[key] .. ': ') or PROMPTS[key]
      vim.ui.input({ prompt = prompt or (key .. ': '), default = action.values and action.values[key] }, function(text)
        if not text or vim.trim(text) == '' then return end
        args[questions[i]] = vim.trim(text)
        ask(i + 1)
      end)
    end
    ask(1)
  end)
end

--- Search as you type is VS Code's; here the results are a `vim.ui.select` list (Telescope,
--- fzf-lua and friends replace it): choosing one opens the record.
---@param query string
function M.search(query)
  server.exec('imi.find', { query = query, limit = 50 }, function(answer)
    local results = type(answer) == 'table' and answer.results or {}
    if #results == 0 then return server.notify('nothing matches ' .. query) end
    vim.ui.select(results, {
      prompt = 'IMI memory: ' .. query,
      kind = 'imi_record',
      format_item = function(r)
        local where = r.file and (' · ' .. r.file.path .. (r.file.line_start and (':' .. r.file.line_start) or '')) or ''
        return string.format('%s: %s%s (%s)', r.kind, r.title, where, r.age or '')
      end,
    }, function(choice)
      if choice then M.open({ view = 'record', id = choice.id }) end
    end)
  end)
end

return M
