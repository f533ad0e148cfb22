;;; imi.el --- IMI project memory in Emacs through eglot  -*- lexical-binding: t; -*-

;; Version: 0.4.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: tools, convenience

;;; Commentary:

;; The IMI language server (`imi-lsp') in Emacs: hovers (eldoc) with the records that name the
;; code at point, a Flymake warning the moment an edit touches an area with a recorded lesson,
;; and lenses: eglot shows no code lenses, so `imi-lens-mode' draws the server's lenses at the
;; end of their lines (fetched when the buffer or the memory changes, resolved only where the
;; window shows them).
;;
;;   (require 'imi)
;;   (imi-setup)                           ; imi-lsp for the modes in `imi-modes'
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; Eglot runs one server per buffer: a buffer managed by imi-lsp gets no other language server.
;; Commands: `imi-show-context', `imi-search'.

;;; Code:

(require 'eglot)
(require 'project)
(require 'subr-x)

(defgroup imi nil "IMI project memory." :group 'tools)

(defcustom imi-server-command '("imi-lsp")
  "How to start the IMI language server."
  :type '(repeat string))

(defcustom imi-modes '(python-mode js-mode typescript-mode go-mode rust-mode c-mode c++-mode
                                   java-mode ruby-mode sh-mode markdown-mode text-mode)
  "Major modes whose buffers eglot connects to imi-lsp."
  :type '(repeat symbol))

(defcustom imi-lens-delay 0.3
  "Seconds of quiet after an edit before lenses are fetched again."
  :type 'number)

(defface imi-lens-face '((t :inherit shadow :slant italic))
  "Face of IMI's lenses.")

;;; Project and server ------------------------------------------------------------------------

(defun imi-project-find (dir)
  "A project rooted at the folder above DIR that holds `.imi/' (a repository without git too)."
  (when-let ((root (locate-dominating-file dir ".imi")))
    (cons 'transient (expand-file-name root))))

;;;###autoload
(defun imi-setup ()
  "Let eglot start imi-lsp for `imi-modes', find projects by their `.imi/', and draw lenses."
  (add-to-list 'eglot-server-programs (cons imi-modes imi-server-command))
  (add-hook 'project-find-functions #'imi-project-find 90)
  (add-hook 'eglot-managed-mode-hook #'imi--maybe-lenses))

(defun imi--server ()
  "The eglot server of this buffer when it is imi-lsp."
  (when-let ((server (and (bound-and-true-p eglot--managed-mode) (eglot-current-server))))
    (when (equal (plist-get (eglot--server-info server) :name) "imi-lsp")
      server)))

(defun imi--maybe-lenses ()
  (imi-lens-mode (if (and (bound-and-true-p eglot--managed-mode) (imi--server)) 1 -1)))

;;; Lenses ------------------------------------------------------------------------------------

(defvar-local imi--lenses nil "The server's last answer: a list of (LENS . OVERLAY-OR-NIL).")
(defvar-local imi--timer nil)

(defun imi--clear ()
  (dolist (entry imi--lenses) (when (cdr entry) (delete-overlay (cdr entry))))
  (setq imi--lenses nil))

(defun imi--line-of (lens)
  (plist-get (plist-get (plist-get lens :range) :start) :line))

(defun imi--draw (entry)
  "Put ENTRY's resolved title at the end of its line."
  (let* ((lens (car entry))
         (title (plist-get (plist-get lens :command) :title)))
    (when (and title (not (cdr entry)))
      (save-excursion
        (goto-char (point-min))
        (forward-line (imi--line-of lens))
        (let ((ov (make-overlay (line-end-position) (line-end-position))))
          (overlay-put ov 'imi-lens t)
          (overlay-put ov 'after-string (concat "  " (propertize title 'face 'imi-lens-face)))
          (setcdr entry ov))))))

(defun imi--resolve-visible (&optional window)
  "Resolve the lenses WINDOW (default: the selected one) shows, and draw them."
  (let* ((buffer (current-buffer))
         (server (imi--server))
         (window (or window (get-buffer-window buffer)))
         (first (if window (1- (line-number-at-pos (window-start window))) 0))
         (last (if window (line-number-at-pos (window-end window t)) 60)))
    (when server
      (dolist (entry imi--lenses)
        (let ((line (imi--line-of (car entry))))
          (when (and (<= first line last) (not (plist-get (car entry) :command)) (not (cdr entry)))
            (jsonrpc-async-request
             server :codeLens/resolve (car entry)
             :success-fn (lambda (resolved)
                           (when (buffer-live-p buffer)
                             (with-current-buffer buffer
                               (setcar entry resolved)
                               (imi--draw entry)))))))))))

(defun imi-lens-refresh ()
  "Fetch this buffer's lenses again and draw those in view."
  (interactive)
  (let ((buffer (current-buffer))
        (server (imi--server)))
    (when server
      (jsonrpc-async-request
       server :textDocument/codeLens `(:textDocument ,(eglot--TextDocumentIdentifier))
       :success-fn (lambda (lenses)
                     (when (buffer-live-p buffer)
                       (with-current-buffer buffer
                         (imi--clear)
                         (setq imi--lenses (mapcar (lambda (l) (cons l nil)) lenses))
                         (imi--resolve-visible))))))))

(defun imi--soon (&rest _)
  "Fetch lenses after `imi-lens-delay' seconds of quiet."
  (when (timerp imi--timer) (cancel-timer imi--timer))
  (let ((buffer (current-buffer)))
    (setq imi--timer
          (run-with-timer imi-lens-delay nil
                          (lambda () (when (buffer-live-p buffer)
                                       (with-current-buffer buffer (imi-lens-refresh))))))))

(defun imi--scrolled (window _start)
  (with-current-buffer (window-buffer window) (imi--resolve-visible window)))

(define-minor-mode imi-lens-mode
  "Show IMI's code lenses at the end of their lines."
  :lighter nil
  (if imi-lens-mode
      (progn
        (add-hook 'after-change-functions #'imi--soon nil t)
        (add-hook 'window-scroll-functions #'imi--scrolled nil t)
        (imi-lens-refresh))
    (remove-hook 'after-change-functions #'imi--soon t)
    (remove-hook 'window-scroll-functions #'imi--scrolled t)
    (imi--clear)))

;; the memory changed (the CLI, another agent): every imi buffer fetches its lenses again
(cl-defmethod eglot-handle-request
  (server (_method (eql workspace/codeLens/refresh)) &rest _)
  "Fetch the lenses of SERVER's buffers again."
  (dolist (buffer (eglot--managed-buffers server))
    (with-current-buffer buffer (when imi-lens-mode (imi--soon))))
  nil)

(cl-defmethod eglot-client-capabilities :around (server)
  "Tell imi-lsp that lenses follow its refresh requests."
  (let ((caps (cl-call-next-method)))
    (when (equal (car-safe (process-command (jsonrpc--process server))) (car imi-server-command))
      (setq caps (plist-put caps :workspace
                            (plist-put (plist-get caps :workspace) :codeLens '(:refreshSupport t)))))
    caps))

;;; Views -------------------------------------------------------------------------------------

(defun imi--view (request)
  "Show the page the server answers to REQUEST (`imi.readView') in a read-only buffer."
  (let* ((server (or (imi--server) (eglot--current-server-or-lose)))
         (page (eglot-execute-command server 'imi.readView (vector request)))
         (buffer (get-buffer-create (format "*imi: %s*" (plist-get page :title)))))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (plist-get page :markdown))
        (goto-char (point-min)))
      (if (fboundp 'markdown-view-mode) (markdown-view-mode) (special-mode))
      (setq default-directory (file-name-as-directory (plist-get page :root))))
    (pop-to-buffer buffer)))

(defun imi-show-context ()
  "The project's context, as `imi context' prints it."
  (interactive)
  (imi--view `(:view "context" :uri ,(eglot--path-to-uri (buffer-file-name)))))

(defun imi-search (query)
  "Search the memory for QUERY; open the chosen record."
  (interactive "sSearch IMI memory: ")
  (let* ((answer (eglot-execute-command (eglot--current-server-or-lose) 'imi.find
                                        (vector `(:query ,query :limit 50))))
         (choices (mapcar (lambda (r) (cons (format "%s: %s" (plist-get r :kind) (plist-get r :title))
                                            (plist-get r :id)))
                          (plist-get answer :results))))
    (if (null choices)
        (message "IMI: nothing matches %s" query)
      (imi--view `(:view "record" :id ,(cdr (assoc (completing-read "Record: " choices nil t) choices)))))))

(provide 'imi)
;;; imi.el ends here
