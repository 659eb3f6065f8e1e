#!/usr/bin/env node
// browser_check.js PAGE.html SHOT.png: opens a local HTML page in headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM) and reports, through the DevTools protocol spoken over
// --remote-debugging-pipe (no npm packages), what a reader's browser would see:
//  - every request the page makes other than itself and data: URLs (a self-contained page makes
//    none), and every console message of level warning or error, uncaught exception and
//    browser log entry (a CSP violation is one);
//  - the page loaded twice, with scripts and without: the sections, images and charts drawn
//    (their boxes non-empty) both times;
//  - a screenshot of the page's top (1200 x 1500 px; $SHOT_Y: from that height down) as SHOT.png.
// Prints one JSON object; exit 0 when the page is clean, 1 when not, 3 when Chromium could not
// be started or did not answer (the caller treats 3 as "skipped").
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [page, shot] = process.argv.slice(2);
if (!page || !shot) {
    process.stderr.write('usage: browser_check.js PAGE.html SHOT.png\n');
    process.exit(2);
}
const url = 'file://' + path.resolve(page);
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-chromium-'));
const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
              '--user-data-dir=' + profile, '--no-first-run', '--no-default-browser-check',
              '--disable-extensions', '--disable-background-networking', '--disable-sync',
              '--disable-component-update', '--disable-dev-shm-usage', '--mute-audio',
              '--hide-scrollbars', 'about:blank'];
const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => { stderr += d; });

const report = { url, requests: [], console: [], exceptions: [], log: [], loads: [] };
let finished = false;
// The report first, then Chromium closed (politely over the protocol, else killed) and its
// profile removed: a profile removed while Chromium still writes to it fails to go, and that
// must not cost the report.
function finish(code, why) {
    if (finished) return;
    finished = true;
    if (why) report.error = why;
    process.stdout.write(JSON.stringify(report, null, 1) + '\n');
    const done = () => {
        try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch (e) { /* left in tmp */ }
        process.exit(code);
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    try { toBrowser.write(JSON.stringify({ id: 0, method: 'Browser.close' }) + '\0'); } catch (e) { /* gone */ }
    setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 3000);
    setTimeout(done, 6000);
}
const timer = setTimeout(() => finish(3, 'Chromium did not answer within 40 s'), 40000);
child.on('error', (e) => finish(3, 'cannot start ' + exe + ': ' + e.message));
child.on('exit', (c) => finish(3, 'Chromium exited (' + c + ') ' + stderr.slice(-400)));

// CDP over the pipe: JSON messages, each ended by a NUL byte.
const toBrowser = child.stdio[3], fromBrowser = child.stdio[4];
let nextId = 1, inbuf = '';
const pending = new Map(), listeners = [];
function send(method, params, sessionId) {
    const id = nextId++;
    const msg = { id, method, params: params || {} };
    if (sessionId) msg.sessionId = sessionId;
    toBrowser.write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
fromBrowser.on('data', (chunk) => {
    inbuf += chunk.toString('utf8');
    let z;
    while ((z = inbuf.indexOf('\0')) >= 0) {
        const msg = JSON.parse(inbuf.slice(0, z));
        inbuf = inbuf.slice(z + 1);
        if (msg.id && pending.has(msg.id)) {
            const p = pending.get(msg.id);
            pending.delete(msg.id);
            if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message));
            else p.resolve(msg.result);
        } else if (msg.method) {
            for (const l of listeners) l(msg);
        }
    }
});

function record(msg) {
    const p = msg.params;
    switch (msg.method) {
    case 'Network.requestWillBeSent':
        if (p.request.url !== url && !p.request.url.startsWith('data:'))
            report.requests.push(p.request.url);
        break;
    case 'Runtime.consoleAPICalled':
        if (p.type === 'error' || p.type === 'warning' || p.type === 'assert')
            report.console.push(p.type + ': ' + p.args.map((a) => a.value || a.description).join(' '));
        break;
    case 'Runtime.exceptionThrown':
        report.exceptions.push(p.exceptionDetails.exception
            ? p.exceptionDetails.exception.description : p.exceptionDetails.text);
        break;
    case 'Log.entryAdded':
        if (p.entry.level === 'error' || p.entry.level === 'warning')
            report.log.push(p.entry.level + ' (' + p.entry.source + '): ' + p.entry.text);
        break;
    }
}

// What a reader sees: the sections, the images decoded, the charts, each with a non-empty box.
const probe = `(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const imgs = [...document.images].filter((i) => i.getAttribute('src')); // the viewer's wait for the script
    return JSON.stringify({
        title: document.title,
        sections: [...document.querySelectorAll('section')].filter(box).map((s) => s.id),
        images: imgs.length,
        images_decoded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
        images_shown: imgs.filter(box).length,
        charts: [...document.querySelectorAll('svg')].filter(box).length,
        slider: !!document.querySelector('#viewer input') && box(document.querySelector('#viewer')),
        height: document.documentElement.scrollHeight
    });
})()`;

async function load(session, scripts) {
    await send('Emulation.setScriptExecutionDisabled', { value: !scripts }, session);
    const loaded = new Promise((resolve) => {
        const l = (m) => { if (m.method === 'Page.loadEventFired' && m.sessionId === session) resolve(); };
        listeners.push(l);
    });
    const nav = await send('Page.navigate', { url }, session);
    if (nav.errorText) throw new Error('navigate: ' + nav.errorText);
    await loaded;
    await new Promise((r) => setTimeout(r, 300)); // late console messages
    const r = await send('Runtime.evaluate', { expression: probe, returnByValue: true }, session);
    const seen = JSON.parse(r.result.value);
    seen.scripts = scripts;
    report.loads.push(seen);
}

async function main() {
    listeners.push(record);
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    for (const d of ['Page', 'Runtime', 'Log', 'Network'])
        await send(d + '.enable', {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride',
               { width: 1200, height: 1500, deviceScaleFactor: 1, mobile: false }, sessionId);
    await load(sessionId, false);
    await load(sessionId, true);
    const y = +(process.env.SHOT_Y || 0); // further down the page, to look at its other parts
    const png = await send('Page.captureScreenshot', y > 0
        ? { format: 'png', captureBeyondViewport: true, clip: { x: 0, y, width: 1200, height: 1500, scale: 1 } }
        : { format: 'png' }, sessionId);
    fs.writeFileSync(shot, Buffer.from(png.data, 'base64'));
    report.screenshot_bytes = fs.statSync(shot).size;
    clearTimeout(timer);
    const clean = !report.requests.length && !report.console.length &&
                  !report.exceptions.length && !report.log.length;
    finish(clean ? 0 : 1);
}
main().catch((e) => finish(3, String(e && e.message || e)));
