-- Headless Neovim on a file that 1,000 anchored lessons name (2,000 records in all), driven by
-- tests/editors/test_nvim_lenses.py: how many lenses the plugin asks the server to resolve while
-- the user reads, types and scrolls. Writes what it counted to IMI_OUT.
local out_file, file = assert(vim.env.IMI_OUT), assert(vim.env.IMI_FILE)
local seen = { steps = {} }
local TIMEOUT = 30000

local function finish(code)
  local f = assert(io.open(out_file, 'w'))
  f:write(vim.json.encode(seen))
  f:close()
  for _, client in ipairs(vim.lsp.get_clients()) do client:stop(true) end
  vim.wait(3000, function() return #vim.lsp.get_clients() == 0 end, 50)
  os.exit(code)
end

vim.lsp.enable('imi')
vim.cmd.edit(file)
local buf = vim.api.nvim_get_current_buf()
if not vim.wait(TIMEOUT, function()
  local c = vim.lsp.get_clients({ bufnr = buf, name = 'imi' })[1]
  return c ~= nil and c.initialized == true
end, 50) then finish(1) end
local client = vim.lsp.get_clients({ bufnr = buf, name = 'imi' })[1]

-- count what the client asks the server
local asked = { resolve = 0, codeLens = 0 }
local request = client.request
client.request = function(self, method, ...)
  if method == 'codeLens/resolve' then asked.resolve = asked.resolve + 1 end
  if method == 'textDocument/codeLens' then asked.codeLens = asked.codeLens + 1 end
  return request(self, method, ...)
end

local function resolved()
  local n = 0
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.command then n = n + 1 end
  end
  return n
end
local function in_view()
  local first, last = vim.fn.line('w0') - 1, vim.fn.line('w$') - 1
  local n = 0
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.range.start.line >= first and lens.range.start.line <= last then n = n + 1 end
  end
  return n
end

-- 1. open: the lenses in view get their titles
vim.wait(TIMEOUT, function() return resolved() >= 3 end, 20)
vim.wait(500, function() return false end, 50) -- let anything else in flight arrive
seen.lenses = #vim.lsp.codelens.get(buf)
seen.in_view = in_view()
seen.after_open = vim.deepcopy(asked)
table.insert(seen.steps, 'open')

-- 2. type in a lesson's lines, a key at a time, then wait for the warning
for i = 1, 25 do
  vim.api.nvim_buf_set_text(buf, 4, 0, 4, 0, { 'y' })
  vim.wait(40, function() return false end, 10)
end
seen.warned = vim.wait(TIMEOUT, function() return #vim.diagnostic.get(buf) > 0 end, 20)
vim.wait(800, function() return false end, 50) -- the debounced fetch after the last key
seen.after_typing = vim.deepcopy(asked)
table.insert(seen.steps, 'typing')

-- 3. scroll far down: the lenses that come into view are resolved, and only those
vim.cmd('normal! 1201Gzt')
vim.api.nvim_exec_autocmds('WinScrolled', { buffer = buf })
local top = vim.fn.line('w0') - 1
seen.scrolled_resolved = vim.wait(TIMEOUT, function()
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.range.start.line == top and lens.command then return true end
  end
  return false
end, 20)
vim.wait(300, function() return false end, 50)
seen.in_view_after_scroll = in_view()
seen.after_scroll = vim.deepcopy(asked)
table.insert(seen.steps, 'done')
finish(0)
