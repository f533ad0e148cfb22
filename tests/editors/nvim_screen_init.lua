-- The init.lua of a user who installed editors/nvim (the test puts it on the runtimepath first):
-- the README's setup plus a few common options, for the screenshots in docs/editors.md. No
-- diagnostic settings: the plugin makes imi's warnings visible with Neovim's defaults.
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.o.updatetime = 300
vim.o.shada = ''
vim.o.swapfile = false
vim.lsp.enable('imi')
