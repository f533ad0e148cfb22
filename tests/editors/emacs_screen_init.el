;;; The init.el of an Emacs user who installed editors/emacs/imi.el (the test sets IMI_EMACS_DIR):
;;; the README's setup, for the screenshots in docs/editors.md.
(package-initialize)
(add-to-list 'load-path (getenv "IMI_EMACS_DIR"))
(require 'imi)
(imi-setup)
(add-hook 'python-mode-hook #'eglot-ensure)
(setq inhibit-startup-screen t make-backup-files nil auto-save-default nil)
(menu-bar-mode -1)
(global-display-line-numbers-mode 1)
