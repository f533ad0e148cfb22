;;; emacs_session.el --- a user's session in Emacs with eglot and editors/emacs/imi.el  -*- lexical-binding: t; -*-
;; Driven by tests/editors/test_emacs.py: opens the demo workspace's src/cache.py, lets eglot
;; start imi-lsp, and writes what the user would see (lenses, hover, the warning after an edit
;; in the lesson's lines) to IMI_OUT as JSON. Environment: IMI_WS, IMI_OUT, IMI_EMACS_DIR.
(require 'package)
(package-initialize)                    ; Debian's elpa-eglot (batch mode reads no init file)
(add-to-list 'load-path (getenv "IMI_EMACS_DIR"))
(require 'json)
(require 'imi)
(imi-setup)

(defvar imi-test-seen '((steps . [])))
(defun imi-test-note (key value)
  (setf (alist-get key imi-test-seen) value)
  (with-temp-file (getenv "IMI_OUT") (insert (json-encode imi-test-seen))))
(defun imi-test-step (name)
  (imi-test-note 'steps (vconcat (alist-get 'steps imi-test-seen) (list name))))
(defun imi-test-wait (pred &optional seconds)
  "Process events until PRED holds (its value) or SECONDS pass (nil)."
  (let ((deadline (+ (float-time) (or seconds 30))) value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))
(defun imi-test-vec (lenses)
  "LENSES as JSON arrays (a list of lists would be read as an object)."
  (vconcat (mapcar (lambda (l) (vector (car l) (substring-no-properties (cadr l)))) lenses)))
(defun imi-test-lenses ()
  (let (found)
    (dolist (ov (overlays-in (point-min) (point-max)))
      (when (overlay-get ov 'imi-lens)
        (push (list (1- (line-number-at-pos (overlay-start ov))) (string-trim (overlay-get ov 'after-string))) found)))
    (sort found (lambda (a b) (< (car a) (car b))))))

(condition-case err
    (let ((ws (getenv "IMI_WS")))
      (find-file (expand-file-name "src/cache.py" ws))
      (imi-test-note 'mode (symbol-name major-mode))
      ;; what `eglot-ensure' does after the first command
      (apply #'eglot (eglot--guess-contact))
      (let ((server (imi-test-wait (lambda () (imi--server)))))
        (imi-test-note 'server (and server (plist-get (eglot--server-info server) :name)))
        (imi-test-note 'project (and server (expand-file-name (project-root (eglot--project server)))))
        (imi-test-step "attached")
        ;; lenses, drawn by imi-lens-mode at the end of their lines
        (imi-test-note 'lenses (imi-test-vec (imi-test-wait (lambda () (let ((l (imi-test-lenses))) (and (>= (length l) 2) l))))))
        (imi-test-step "lenses")
        ;; the hover on the lesson's first line
        (let ((hover (jsonrpc-request server :textDocument/hover
                                      `(:textDocument ,(eglot--TextDocumentIdentifier)
                                        :position (:line 9 :character 4)))))
          (imi-test-note 'hover (plist-get (plist-get hover :contents) :value)))
        (imi-test-step "hover")
        ;; an edit in the lesson's lines: a Flymake warning
        (goto-char (point-min))
        (forward-line 12)
        (end-of-line)
        (insert "  # read without the lock")
        (eglot--signal-textDocument/didChange)
        (let ((diags (imi-test-wait (lambda () (or (flymake-diagnostics) eglot--diagnostics)))))
          (imi-test-note 'diagnostics
                         (vconcat (mapcar (lambda (d) (vector (1- (line-number-at-pos (flymake-diagnostic-beg d)))
                                                            (symbol-name (flymake-diagnostic-type d))
                                                            (flymake-diagnostic-text d)))
                                          diags))))
        (imi-test-step "warning")
        ;; a write by the CLI: the lens follows (the server asks for a refresh)
        (call-process (getenv "IMI_PYTHON") nil nil nil "-m" "imi_cli" "decide" "Entries expire after max_age seconds"
                      "stale prices were served" "--files" "src/cache.py")
        (imi-test-note 'lenses_after_cli
                       (imi-test-vec (imi-test-wait (lambda () (let ((l (imi-test-lenses)))
                                                                 (and (string-match-p "decision" (or (cadr (car l)) "")) l))))))
        (imi-test-step "live")
        ;; the context as a read-only view
        (imi-show-context)
        (imi-test-note 'context (buffer-substring-no-properties (point-min) (min (point-max) 400)))
        (imi-test-note 'context_buffer (buffer-name))
        (imi-test-step "done")
        (eglot-shutdown server))
      (kill-emacs 0))
  (error (imi-test-note 'error (format "%S" err))
         (kill-emacs 1)))
