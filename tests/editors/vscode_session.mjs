// A user's session in real VS Code (code-server in headless Chromium), driven by
// tests/editors/test_vscode.py. It does what a user does with the IMI extension and writes what
// they would have seen to a JSON file (the Python test asserts on it), with screenshots.
//
// Environment: IMI_URL (code-server with the workspace), IMI_OUT (JSON file), IMI_SHOTS (folder),
// IMI_VSCODE_DIR (editors/vscode, for playwright-core), IMI_CHROMIUM, IMI_PYTHON (runs the imi CLI),
// IMI_WS (the workspace).
import { createRequire } from 'module';
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const require = createRequire(join(env('IMI_VSCODE_DIR'), 'package.json'));
const { chromium } = require('playwright-core');

const shots = env('IMI_SHOTS');
const seen = { steps: [], console_errors: [] };
const save = () => writeFileSync(env('IMI_OUT'), JSON.stringify(seen, null, 2));
const TIMEOUT = 30000;

const browser = await chromium.launch({
  executablePath: env('IMI_CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
page.on('console', (m) => {
  if (m.type() === 'error' && /imi/i.test(m.text())) seen.console_errors.push(m.text().slice(0, 500));
});

async function step(name, body) {
  try {
    await body();
    seen.steps.push(name);
    save();
  } catch (err) {
    seen.failed = { step: name, error: String(err && err.stack || err) };
    save();
    await page.screenshot({ path: join(shots, `failed-${name}.png`) }).catch(() => {});
    await browser.close();
    process.exit(1);
  }
}

const statusItem = () => page.locator('[id="imi.imi-memory.imi.task"]');
const reviewItem = () => page.locator('[id="imi.imi-memory.imi.review"]');
const memoryPane = () => page.locator('.pane').filter({ has: page.locator('.pane-header[aria-label^="Project Memory"]') });

async function rows(container) {
  return container.locator('.monaco-list-row').evaluateAll((els) =>
    els.map((e) => ({
      label: e.querySelector('.label-name')?.textContent ?? e.textContent,
      description: e.querySelector('.label-description')?.textContent ?? '',
      level: Number(e.getAttribute('aria-level')),
    })));
}

// a webview (the record views): code-server nests the page in two iframes
const webview = () => page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');

async function viewText() {
  const main = webview().locator('main.imi-page');
  await main.waitFor({ timeout: TIMEOUT });
  return (await main.innerText()).trim();
}

async function palette(command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${command}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function answerInput(text) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

async function openFile(name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name.split('/').pop() }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name.split('/').pop() }).waitFor();
}

async function goToLine(line) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first().waitFor();
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

await step('open', async () => {
  await page.goto(env('IMI_URL'));
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
});

await step('status_bar', async () => {
  // the status bar item appears once the server answered: the extension is active and connected
  await statusItem().waitFor({ timeout: 90000 });
  seen.status_before = (await statusItem().innerText()).trim();
});

await step('memory_view', async () => {
  // room for the view: fold the file tree, unfold Project Memory
  const files = page.locator('.pane-header[aria-label^="Explorer Section"]');
  if ((await files.getAttribute('aria-expanded')) === 'true') await files.click();
  // and a wider side bar, so the rows read in full on the screenshots
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (bar) {
    await page.mouse.move(bar.x + bar.width + 1, bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.move(bar.x + 470, bar.y + bar.height / 2, { steps: 5 });
    await page.mouse.up();
  }
  const header = page.locator('.pane-header[aria-label^="Project Memory"]');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = memoryPane();
  const goal = pane.locator('.monaco-list-row', { hasText: 'Ship the CSV importer' });
  await goal.waitFor({ timeout: TIMEOUT });
  await goal.locator('.monaco-tl-twistie').click();  // a click on the row itself opens the record
  await pane.locator('.monaco-list-row', { hasText: 'Write rows in one transaction' }).waitFor({ timeout: TIMEOUT });
  seen.memory_rows = await rows(pane);
});

await step('lenses', async () => {
  await openFile('src/cache.py');
  const lenses = page.locator('.codelens-decoration');
  await lenses.filter({ hasText: 'lesson' }).nth(1).waitFor({ timeout: TIMEOUT });
  seen.lenses = await lenses.evaluateAll((els) => els.map((e) => e.textContent.trim()));
  // the view follows the active editor: "Memory for this file" lists the lesson on top
  const current = memoryPane().locator('.monaco-list-row', { hasText: 'Memory for this file' });
  await current.waitFor({ timeout: TIMEOUT });
  await memoryPane().locator('.monaco-list-row[aria-level="2"]').first().waitFor({ timeout: TIMEOUT });
  seen.this_file_rows = (await rows(memoryPane())).slice(0, 2);
  await page.screenshot({ path: join(shots, 'vscode-lens-and-memory.png') });
});

await step('hover', async () => {
  // the lens line's hover: the records in markdown
  const line = page.locator('.view-lines .view-line').nth(9);
  await line.hover({ position: { x: 40, y: 5 } });
  const hover = page.locator('.monaco-hover-content').first();
  await hover.waitFor({ state: 'visible', timeout: TIMEOUT }).catch(() => {});
  seen.hover = (await hover.isVisible()) ? (await hover.innerText()).trim() : '';
  await page.waitForTimeout(800);  // the hover fades in
  if (seen.hover) await page.screenshot({ path: join(shots, 'vscode-hover.png') });
  await page.keyboard.press('Escape');
});

await step('live', async () => {
  // another process (an agent, the CLI) records a decision about the open file: lens and view follow
  execFileSync(env('IMI_PYTHON'), ['-m', 'imi_cli', 'decide', 'Entries expire after max_age seconds',
    'stale prices were served for hours', '--files', 'src/cache.py'], { cwd: env('IMI_WS'), env: { ...process.env, IMI_AGENT_ID: 'claude-2' } });
  const started = Date.now();
  await page.locator('.codelens-decoration', { hasText: '1 decision' }).first().waitFor({ timeout: TIMEOUT });
  seen.live_lens_ms = Date.now() - started;
  await memoryPane().locator('.monaco-list-row', { hasText: 'Entries expire after max_age seconds' }).first().waitFor({ timeout: TIMEOUT });
  seen.live_view_ms = Date.now() - started;
  seen.lenses_after_cli = await page.locator('.codelens-decoration').evaluateAll((els) => els.map((e) => e.textContent.trim()));
});

await step('warning', async () => {
  const problems = page.locator('[id="status.problems"]');
  seen.problems_before = await problems.getAttribute('aria-label');
  await goToLine(13);
  await page.keyboard.press('End');
  await page.keyboard.type('  # read without the lock', { delay: 15 });
  await page.waitForFunction(
    () => /Warning/i.test(document.querySelector('[id="status.problems"]')?.getAttribute('aria-label') ?? ''),
    null, { timeout: TIMEOUT });
  seen.problems_after = await problems.getAttribute('aria-label');
  await page.keyboard.press('Control+Shift+M');
  const markers = page.locator('.markers-panel .monaco-list-row');
  await markers.filter({ hasText: 'Lesson' }).first().waitFor({ timeout: TIMEOUT });
  seen.problems = await markers.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent));
  seen.squiggles = await page.locator('.squiggly-warning').count();
  await page.screenshot({ path: join(shots, 'vscode-lesson-warning.png') });
});

await step('start_task', async () => {
  await palette('IMI: Start Task');
  const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Document the import format' });
  await choice.waitFor({ timeout: TIMEOUT });
  seen.start_choices = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((els) => els.map((e) => e.textContent));
  await choice.click();
  await page.waitForFunction(
    () => /Document the import format/.test(document.querySelector('[id="imi.imi-memory.imi.task"]')?.textContent ?? ''),
    null, { timeout: TIMEOUT });
  seen.status_after_start = (await statusItem().innerText()).trim();
});

await step('record_lesson', async () => {
  await openFile('src/db.py');
  await goToLine(8);  // `def connection(...)`, at column 0
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowDown');  // whole lines 8-11
  await palette('IMI: Record Lesson Here');
  seen.lesson_prompt = await page.locator('.quick-input-widget .quick-input-message, .quick-input-widget .quick-input-description').first().innerText().catch(() => '');
  await answerInput('A second connect() broke WAL checkpoints');
  await answerInput('Reuse the connection: call connection(), never sqlite3.connect');
  await page.locator('.notifications-toasts', { hasText: 'Recorded lesson' }).waitFor({ timeout: TIMEOUT });
  seen.lesson_toast = (await page.locator('.notifications-toasts').innerText()).trim();
});

await step('search', async () => {
  // results as you type: no Enter, no file written
  await palette('IMI: Search Memory');
  const input = page.locator('.quick-input-widget input[placeholder^="Search the project memory"]');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.pressSequentially('cache_lo', { delay: 60 });
  const hit = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Readers saw half-written entries' });
  await hit.waitFor({ timeout: TIMEOUT });
  seen.search_rows = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((els) => els.map((e) => ({
    label: e.querySelector('.label-name')?.textContent ?? '',
    description: e.querySelector('.label-description')?.textContent ?? '',
    detail: e.querySelector('.quick-input-list-label-meta, .monaco-icon-label-container + .quick-input-list-label-meta, .quick-input-list-detail')?.textContent ?? '',
    icon: !!e.querySelector('.codicon-mortar-board, .codicon-law'),
  })));
  await page.screenshot({ path: join(shots, 'vscode-search.png') });
  await hit.click();
});

await step('record_view', async () => {
  // the record opens rendered, with its file link, history and actions
  seen.record_view = await viewText();
  seen.record_tab = (await page.locator('.tab.active').innerText()).trim();
  seen.record_buttons = await webview().locator('button').allInnerTexts();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, 'vscode-record-view.png') });
  // its file link opens the code at the lesson's lines
  await webview().locator('a', { hasText: 'src/cache.py:10-16' }).click();
  await page.locator('.tab.active', { hasText: 'cache.py' }).waitFor({ timeout: TIMEOUT });
  seen.link_opened = (await page.locator('.tab.active').innerText()).trim();
  seen.link_selection = await page.locator('[id="status.editor.selection"]').innerText().catch(() => '');
});

await step('archive_from_view', async () => {
  // the decision the CLI wrote a moment ago: open it from the view, archive it from its page
  const row = memoryPane().locator('.monaco-list-row', { hasText: 'Entries expire after max_age seconds' }).first();
  await row.click();
  await webview().locator('button', { hasText: 'Archive' }).click();
  await page.locator('.notifications-toasts', { hasText: 'Archived decision' }).waitFor({ timeout: TIMEOUT });
  await memoryPane().locator('.monaco-list-row', { hasText: 'Entries expire after max_age seconds' }).first().waitFor({ state: 'detached', timeout: TIMEOUT });
  seen.archived_gone = true;
});

await step('group_by_file', async () => {
  await memoryPane().hover();
  await page.locator('.pane-header[aria-label^="Project Memory"] .action-label[aria-label="Group by File"]').click();
  await memoryPane().locator('.monaco-list-row[aria-level="1"]', { hasText: 'src/cache.py' }).first().waitFor({ timeout: TIMEOUT });
  seen.by_file_rows = (await rows(memoryPane())).filter((r) => r.level === 1).map((r) => [r.label, r.description]);
  await page.screenshot({ path: join(shots, 'vscode-group-by-file.png') });
  await page.locator('.pane-header[aria-label^="Project Memory"] .action-label[aria-label="Group by Kind"]').click();
  await memoryPane().locator('.monaco-list-row', { hasText: 'Decisions' }).first().waitFor({ timeout: TIMEOUT });
});

await step('context', async () => {
  await palette('IMI: Show Context');
  await page.locator('.tab.active', { hasText: 'context' }).waitFor({ timeout: TIMEOUT });
  seen.context_tab = (await page.locator('.tab.active').innerText()).trim();
  seen.context_text = await viewText();
  seen.context_has_heading = await webview().locator('h1').count();
  await page.screenshot({ path: join(shots, 'vscode-context.png') });
});

await step('review', async () => {
  // claude-1's session ends: its stop hook runs `imi capture` in another process, which proposes a
  // lesson (a test failed until src/cache.py changed) and a summary for the task claude-1 holds
  const events = join(shots, '..', 'session-events.json');
  writeFileSync(events, JSON.stringify([
    { kind: 'shell', command: 'pytest tests/test_cache.py', ok: false },
    { kind: 'edit', paths: ['src/cache.py'] },
    { kind: 'shell', command: 'pytest tests/test_cache.py', ok: true },
  ]));
  execFileSync(env('IMI_PYTHON'), ['-m', 'imi_cli', 'capture', '--events', events, '--session', 'sess-42'],
    { cwd: env('IMI_WS'), env: { ...process.env, IMI_AGENT_ID: 'claude-1' } });
  const started = Date.now();
  await page.waitForFunction(
    () => /2 to review/.test(document.querySelector('[id="imi.imi-memory.imi.review"]')?.textContent ?? ''),
    null, { timeout: TIMEOUT });
  seen.live_review_ms = Date.now() - started;
  seen.review_status = (await reviewItem().innerText()).trim();
  const pane = memoryPane();
  await pane.locator('.monaco-list-row', { hasText: 'Pending review' }).waitFor({ timeout: TIMEOUT });
  const all = await rows(pane);
  const at = all.findIndex((r) => r.label === 'Pending review');
  seen.review_rows = all.slice(at, at + 3);
  await page.screenshot({ path: join(shots, 'vscode-review-pending.png') });

  // the lesson proposal opens rendered; accept it edited (the input starts from the proposed text)
  await pane.locator('.monaco-list-row', { hasText: 'failed until' }).first().click();
  // the proposal's own view, not the one that had focus before (the context)
  await page.locator('.tab.active', { hasText: 'Proposal:' }).waitFor({ timeout: TIMEOUT });
  await webview().locator('main.imi-page', { hasText: 'pending review' }).waitFor({ timeout: TIMEOUT });
  seen.proposal_view = await viewText();
  seen.proposal_buttons = await webview().locator('button').allInnerTexts();
  await page.screenshot({ path: join(shots, 'vscode-review-proposal.png') });
  await webview().locator('button', { hasText: 'Accept edited' }).click();
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  seen.edit_prompt_value = await input.inputValue();
  await answerInput('tests/test_cache.py failed until get() took cache_lock');
  await page.locator('.quick-input-widget', { hasText: 'The correct behaviour' }).waitFor({ timeout: TIMEOUT });
  seen.edit_second_value = await input.inputValue();
  await page.keyboard.press('Enter');  // the correct behaviour as proposed
  await page.locator('.notifications-toasts', { hasText: 'Accepted: lesson' }).waitFor({ timeout: TIMEOUT });
  seen.accept_toast = (await page.locator('.notifications-toasts', { hasText: 'Accepted: lesson' }).innerText()).trim();
  await page.waitForFunction(
    () => /1 to review/.test(document.querySelector('[id="imi.imi-memory.imi.review"]')?.textContent ?? ''),
    null, { timeout: TIMEOUT });
  await webview().locator('main.imi-page', { hasText: 'accepted' }).waitFor({ timeout: TIMEOUT });
  seen.proposal_after = await viewText();

  // the summary: rejected with the row's inline button
  const summary = pane.locator('.monaco-list-row', { hasText: 'task summary' }).first();
  await summary.hover();
  await summary.locator('.action-label[aria-label="Reject Proposal"]').click();
  await page.locator('.notifications-toasts', { hasText: 'Rejected summary proposal' }).waitFor({ timeout: TIMEOUT });
  await reviewItem().waitFor({ state: 'hidden', timeout: TIMEOUT });
  await pane.locator('.monaco-list-row', { hasText: 'Pending review' }).waitFor({ state: 'detached', timeout: TIMEOUT });
  seen.review_done = true;
});

await browser.close();
seen.steps.push('done');
save();
