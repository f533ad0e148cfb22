--- Code lenses for the imi server, kept fresh without waste: fetched again when the buffer or the
--- memory changed (debounced), never on a timer or on CursorHold, and resolved only where a
--- window shows them. Neovim's own `vim.lsp.codelens.refresh()` resolves every lens of a buffer
--- each time; at thousands of records that is hundreds of requests per pause in typing.
local M = {}

local uv = vim.uv or vim.loop

--- Milliseconds to wait after the last change before asking again.
M.debounce_ms = 250

---@class imi.BufLenses
---@field client_id integer
---@field lenses lsp.CodeLens[] the last answer (resolved ones carry their command)
---@field pending table<lsp.CodeLens, boolean> resolves in flight
---@field generation integer bumps with each fetch: late answers to an older one are dropped
---@field timer uv.uv_timer_t?

---@type table<integer, imi.BufLenses>
local state = {}

local group = vim.api.nvim_create_augroup('imi.lenses', { clear = true })

--- Run `fn` once `ms` after the last call for this buffer and key.
local function debounced(bufnr, key, ms, fn)
  local s = state[bufnr]
  if not s then return end
  s.timers = s.timers or {}
  local timer = s.timers[key]
  if not timer then
    timer = assert(uv.new_timer())
    s.timers[key] = timer
  end
  timer:stop()
  timer:start(ms, 0, vim.schedule_wrap(function()
    if vim.api.nvim_buf_is_loaded(bufnr) then fn() end
  end))
end

--- The 0-based line ranges of the windows showing a buffer.
---@param bufnr integer
---@return { [1]: integer, [2]: integer }[]
local function visible_ranges(bufnr)
  local ranges = {}
  for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
    local first, last = unpack(vim.api.nvim_win_call(win, function()
      return { vim.fn.line('w0'), vim.fn.line('w$') }
    end))
    table.insert(ranges, { first - 1, last - 1 })
  end
  return ranges
end

local function is_visible(line, ranges)
  for _, r in ipairs(ranges) do
    if line >= r[1] and line <= r[2] then return true end
  end
  return false
end

--- Draw the resolved lenses (unresolved ones are not drawn: no "Unresolved lens ..." text).
local function draw(bufnr)
  local s = state[bufnr]
  if not s then return end
  local resolved = vim.tbl_filter(function(l) return l.command ~= nil end, s.lenses)
  vim.lsp.codelens.save(s.lenses, bufnr, s.client_id) -- `vim.lsp.codelens.run()` and `.get()` see them
  vim.lsp.codelens.display(resolved, bufnr, s.client_id)
end

--- Resolve the lenses a window shows that are not resolved yet.
---@param bufnr integer
function M.resolve_visible(bufnr)
  local s = state[bufnr]
  local client = s and vim.lsp.get_client_by_id(s.client_id)
  if not s or not client then return end
  local ranges = visible_ranges(bufnr)
  local generation = s.generation
  for _, lens in ipairs(s.lenses) do
    if not lens.command and not s.pending[lens] and is_visible(lens.range.start.line, ranges) then
      s.pending[lens] = true
      client:request('codeLens/resolve', lens, function(err, result)
        s.pending[lens] = nil
        if err or not result or s.generation ~= generation then return end
        lens.command = result.command
        draw(bufnr)
      end, bufnr)
    end
  end
end

--- Ask the server for the buffer's lenses again, then resolve the visible ones. A lens at the same
--- place for the same records keeps its title, unless the memory changed (`renew`).
---@param bufnr integer
---@param renew? boolean
function M.fetch(bufnr, renew)
  local s = state[bufnr]
  local client = s and vim.lsp.get_client_by_id(s.client_id)
  if not s or not client or client:is_stopped() then return end
  s.generation = s.generation + 1
  local generation = s.generation
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
  client:request('textDocument/codeLens', params, function(err, result)
    if err or s.generation ~= generation or not vim.api.nvim_buf_is_loaded(bufnr) then return end
    -- a lens already resolved at the same place and for the same thing keeps its title until it is asked again
    local known = {}
    for _, old in ipairs(s.lenses) do
      if old.command then known[vim.json.encode({ old.range.start.line, old.data })] = old.command end
    end
    s.lenses = result or {}
    s.pending = {}
    for _, lens in ipairs(s.lenses) do
      lens.command = lens.command or known[vim.json.encode({ lens.range.start.line, lens.data })]
    end
    draw(bufnr)
    if renew then -- the memory changed: titles may have too, ask again for what is on screen
      for _, lens in ipairs(s.lenses) do lens.command = nil end
    end
    M.resolve_visible(bufnr)
  end, bufnr)
end

--- Fetch again soon (changes come in bursts: typing, a CLI writing several records).
---@param bufnr integer
---@param renew? boolean the memory changed (not only the buffer)
function M.refresh_soon(bufnr, renew)
  local s = state[bufnr]
  if not s then return end
  s.renew = s.renew or renew
  debounced(bufnr, 'fetch', M.debounce_ms, function()
    local again = s.renew
    s.renew = nil
    M.fetch(bufnr, again)
  end)
end

--- Every buffer the client shows lenses in fetches again (the memory changed: the server's
--- `workspace/codeLens/refresh`, or a command of ours wrote).
---@param client_id integer
function M.refresh_client(client_id)
  for bufnr, s in pairs(state) do
    if s.client_id == client_id then M.refresh_soon(bufnr, true) end
  end
end

--- Start keeping a buffer's lenses fresh.
---@param bufnr integer
---@param client_id integer
function M.attach(bufnr, client_id)
  if state[bufnr] then return end
  state[bufnr] = { client_id = client_id, lenses = {}, pending = {}, generation = 0 }
  -- every change to the text, however it is made (typing, :s, a plugin, an undo)
  vim.api.nvim_buf_attach(bufnr, false, {
    on_lines = function()
      if not state[bufnr] then return true end -- detached: stop listening
      M.refresh_soon(bufnr)
    end,
  })
  vim.api.nvim_create_autocmd({ 'WinScrolled', 'BufWinEnter' }, {
    group = group, buffer = bufnr, desc = 'IMI: resolve the lenses that came into view',
    callback = function() debounced(bufnr, 'resolve', 50, function() M.resolve_visible(bufnr) end) end,
  })
  vim.api.nvim_create_autocmd({ 'BufUnload', 'LspDetach' }, {
    group = group, buffer = bufnr, desc = 'IMI: forget the lenses',
    callback = function(ev)
      if ev.event == 'LspDetach' and ev.data and ev.data.client_id ~= client_id then return end
      M.detach(bufnr)
    end,
  })
  M.fetch(bufnr)
end

---@param bufnr integer
function M.detach(bufnr)
  local s = state[bufnr]
  if not s then return end
  for _, timer in pairs(s.timers or {}) do
    timer:stop()
    timer:close()
  end
  state[bufnr] = nil
  pcall(vim.api.nvim_clear_autocmds, { group = group, buffer = bufnr })
end

return M
