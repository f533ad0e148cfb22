-- IMI: user commands and code-lens refresh. Set vim.g.loaded_imi = true before this runs to
-- skip it, or call require('imi').setup({...}) yourself for other options.
if vim.g.loaded_imi or vim.fn.has('nvim-0.11') == 0 then return end
vim.g.loaded_imi = true
require('imi').setup()
