/**
 * The server's command ids this extension calls, in one place (tests/editors/test_client_contract.py
 * checks each against the server's list).
 */
export const Server = {
  showContext: 'imi.showContext',
  showFileMemory: 'imi.showFileMemory',
  showRecord: 'imi.showRecord',
  showRecords: 'imi.showRecords',
  acknowledgeLesson: 'imi.acknowledgeLesson',
  search: 'imi.search',
  recordLesson: 'imi.recordLesson',
  recordDecision: 'imi.recordDecision',
  recordNote: 'imi.recordNote',
  startTask: 'imi.startTask',
  completeTask: 'imi.completeTask',
  init: 'imi.init',
  /** Data for the view, the status bar and the pickers (JSON; opens nothing). */
  memoryTree: 'imi.memoryTree',
  /** Records naming one file, as JSON ("Memory for this file"). */
  fileRecords: 'imi.fileRecords',
  /** Search as you type (the Search Memory QuickPick). */
  find: 'imi.find',
  /** A view as a page the extension renders: {title, markdown, actions}. */
  readView: 'imi.readView',
  archive: 'imi.archive',
  verify: 'imi.verify',
  supersede: 'imi.supersede',
  /** Review: the pending count (also pushed as the notification `pendingReview`), decisions on proposals. */
  pendingCount: 'imi.pendingCount',
  proposals: 'imi.proposals',
  acceptProposal: 'imi.acceptProposal',
  rejectProposal: 'imi.rejectProposal',
  acceptSession: 'imi.acceptSession',
  /** Text for the Language Model Tools (opens nothing). */
  readContext: 'imi.readContext',
  readFileMemory: 'imi.readFileMemory',
} as const;

/** Notifications the server sends on its own. */
export const Notification = {
  /** `{count, folders: [{folder, count}]}` whenever a folder's number of pending proposals changed. */
  pendingReview: 'imi/pendingReview',
} as const;
