// The recording player: reads a recording file (docs/recording-format.md) and plays its desktop stream through noVNC,
// which decodes it as it would a live desktop, at the recorded pace or faster. Seeking back starts noVNC again and
// feeds it everything up to that point at once (the stream's ZRLE state runs from the start); seeking forward feeds
// what lies between. Who came, left and took control is shown as markers on the timeline and in a list.
import RFB from '/lib/novnc/core/rfb.js';

const Kind = { Desktop: 1, Event: 2, Key: 3, Pointer: 4, Clipboard: 5 };
const Magic = 'SORTIE-RECORDING 1\n';
const players = new WeakMap();

// Parses the file into its desktop chunks, events and input records. A file cut short ends at its last whole record.
export function parse(buffer) {
    const bytes = new Uint8Array(buffer);
    const view = new DataView(buffer);
    if (new TextDecoder().decode(bytes.subarray(0, Magic.length)) !== Magic) throw new Error('This is not a Sortie recording.');
    const desktop = [], events = [], input = [];
    const text = new TextDecoder();
    let at = Magic.length;
    while (at + 9 <= bytes.length) {
        const kind = bytes[at], time = view.getUint32(at + 1), length = view.getUint32(at + 5);
        if (at + 9 + length > bytes.length) break;
        const payload = bytes.subarray(at + 9, at + 9 + length);
        if (kind === Kind.Desktop) desktop.push({ time, payload });
        else if (kind === Kind.Event) events.push({ time, ...JSON.parse(text.decode(payload)) });
        else if (kind >= Kind.Key && kind <= Kind.Clipboard) input.push({ time, kind, viewer: view.getUint16(at + 9) });
        at += 9 + length;
    }
    const duration = Math.max(desktop.at(-1)?.time ?? 0, events.at(-1)?.time ?? 0, input.at(-1)?.time ?? 0);
    return { desktop, events, input, duration };
}

const permissionNames = { read_only: 'View Only', read_write: 'Full Access' };
const viaNames = { owner: 'owner', admin: 'admin', share: 'invited', link: 'link' };

// What happened, in words, in time order: the recording's start and end, who joined and left, and who took control
// (the first input of a viewer after someone else's).
export function markers(recording) {
    const names = new Map();
    const list = [];
    for (const e of recording.events) {
        if (e.type === 'join') names.set(e.viewer, e.user);
        if (e.type === 'start') list.push({ time: e.time, kind: 'start', text: `Recording started by ${e.by === 'policy' ? 'the app\'s policy' : e.by}` });
        else if (e.type === 'join') list.push({ time: e.time, kind: 'join', text: `${e.user} joined (${viaNames[e.via] ?? e.via}, ${permissionNames[e.permission] ?? e.permission})` });
        else if (e.type === 'leave') list.push({ time: e.time, kind: 'leave', text: `${names.get(e.viewer) ?? 'someone'} left (${e.reason})` });
        else if (e.type === 'stop') list.push({ time: e.time, kind: 'stop', text: `Recording stopped: ${e.reason}` });
    }
    let last = null;
    for (const i of recording.input) {
        if (i.viewer === last) continue;
        last = i.viewer;
        list.push({ time: i.time, kind: 'control', text: `${names.get(i.viewer) ?? 'someone'} took control` });
    }
    return list.sort((a, b) => a.time - b.time);
}

export function clock(ms) {
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h > 0 ? `${h}:${String(m).padStart(2, '0')}` : `${m}`) + `:${String(r).padStart(2, '0')}`;
}

// Loads the recording at `url` into the player `root` (the page's markup: a .screen, the controls named by data-role).
export async function attach(root, url) {
    detach(root);
    const status = root.querySelector('[data-role=status]');
    let recording;
    try {
        const response = await fetch(url, { credentials: 'same-origin' });
        if (!response.ok) throw new Error(`The recording could not be loaded (${response.status}).`);
        recording = parse(await response.arrayBuffer());
    } catch (e) {
        status.textContent = e.message;
        root.dataset.state = 'failed';
        return;
    }
    const player = new Player(root, recording);
    players.set(root, player);
    player.seek(0);
    root.dataset.state = 'ready';
    status.textContent = '';
}

export function detach(root) {
    players.get(root)?.close();
    players.delete(root);
}

class Player {
    constructor(root, recording) {
        this.root = root;
        this.recording = recording;
        this.screen = root.querySelector('.screen');
        this.playButton = root.querySelector('[data-role=play]');
        this.timeline = root.querySelector('[data-role=timeline]');
        this.time = root.querySelector('[data-role=time]');
        this.speed = root.querySelector('[data-role=speed]');
        this.list = root.querySelector('[data-role=markers]');
        this.ticks = root.querySelector('[data-role=ticks]');
        this.position = 0; // ms into the recording, as shown
        this.fed = 0; // desktop chunks given to noVNC
        this.playing = false;

        // Steps of a tenth of a second (the arrow keys move by one); the end rounded up to a step, as a range requires.
        this.timeline.step = '100';
        this.timeline.max = String(Math.ceil(recording.duration / 100) * 100);
        this.timeline.disabled = false;
        this.playButton.disabled = false;
        this.handlers = [
            [this.playButton, 'click', () => (this.playing ? this.pause() : this.play())],
            [this.timeline, 'input', () => this.seek(Number(this.timeline.value))],
        ];
        for (const [element, type, handler] of this.handlers) element.addEventListener(type, handler);
        this.showMarkers(markers(recording));
        this.render();
    }

    showMarkers(list) {
        this.list.replaceChildren();
        this.ticks.replaceChildren();
        const duration = Math.max(this.recording.duration, 1);
        for (const m of list) {
            const item = document.createElement('li');
            const button = document.createElement('button');
            button.type = 'button';
            button.className = `marker ${m.kind}`;
            button.textContent = `${clock(m.time)} · ${m.text}`;
            button.addEventListener('click', () => this.seek(m.time));
            item.append(button);
            this.list.append(item);
            const tick = document.createElement('span');
            tick.className = `tick ${m.kind}`;
            tick.style.left = `${(100 * m.time) / duration}%`;
            tick.title = `${clock(m.time)} ${m.text}`;
            this.ticks.append(tick);
        }
    }

    // A new noVNC on a channel that replays the recording: it sends nothing anywhere.
    start() {
        const old = this.rfb;
        this.rfb = null;
        old?.disconnect();
        this.screen.replaceChildren();
        const channel = {
            binaryType: 'arraybuffer', protocol: '', readyState: 'open',
            onopen: null, onclose: null, onerror: null, onmessage: null,
            send() { }, close() { channel.readyState = 'closed'; },
        };
        this.channel = channel;
        this.rfb = new RFB(this.screen, channel);
        const rfb = this.rfb;
        this.root.dataset.desktop = 'connecting';
        rfb.addEventListener('connect', () => {
            if (this.rfb !== rfb) return;
            this.root.dataset.desktop = 'shown';
            // noVNC stops reading at the end of the handshake; what was fed with it waits for the next message: nudge it.
            setTimeout(() => { if (this.rfb === rfb) channel.onmessage?.({ data: new ArrayBuffer(0) }); }, 0);
        });
        // A stream noVNC cannot follow (a damaged file) ends its connection: say so rather than show a still picture.
        rfb.addEventListener('disconnect', e => {
            if (this.rfb !== rfb) return;
            this.root.dataset.desktop = 'failed';
            this.pause();
            this.root.querySelector('[data-role=status]').textContent =
                `The recording cannot be played from here on${e.detail?.clean ? '' : ': its desktop stream is damaged'}.`;
        });
        this.rfb.viewOnly = true;
        this.rfb.scaleViewport = true;
        this.rfb.focusOnClick = false;
        this.fed = 0;
    }

    // Gives noVNC every desktop chunk up to `time`, in one message.
    feed(time) {
        const chunks = [];
        let length = 0;
        const desktop = this.recording.desktop;
        while (this.fed < desktop.length && desktop[this.fed].time <= time) {
            chunks.push(desktop[this.fed].payload);
            length += desktop[this.fed].payload.length;
            this.fed++;
        }
        if (length === 0) return;
        const data = new Uint8Array(length);
        let at = 0;
        for (const c of chunks) { data.set(c, at); at += c.length; }
        this.channel.onmessage({ data: data.buffer });
    }

    seek(time) {
        time = Math.max(0, Math.min(time, this.recording.duration));
        if (!this.rfb || time < this.position) this.start();
        this.position = time;
        this.feed(time); // noVNC attached the channel in its constructor
        this.render();
    }

    play() {
        if (this.position >= this.recording.duration) this.seek(0);
        this.playing = true;
        let last = performance.now();
        const tick = now => {
            if (!this.playing) return;
            this.position = Math.min(this.recording.duration, this.position + (now - last) * Number(this.speed.value || 1));
            last = now;
            this.feed(this.position);
            this.render();
            if (this.position >= this.recording.duration) this.pause();
            else this.frame = requestAnimationFrame(tick);
        };
        this.frame = requestAnimationFrame(tick);
        this.render();
    }

    pause() {
        this.playing = false;
        cancelAnimationFrame(this.frame);
        this.render();
    }

    render() {
        this.timeline.value = String(Math.round(this.position / 100) * 100);
        this.timeline.setAttribute('aria-valuetext', `${clock(this.position)} of ${clock(this.recording.duration)}`);
        this.time.textContent = `${clock(this.position)} / ${clock(this.recording.duration)}`;
        this.playButton.textContent = this.playing ? 'Pause' : 'Play';
        this.root.dataset.position = String(Math.round(this.position));
        this.root.dataset.playing = String(this.playing);
    }

    close() {
        this.pause();
        for (const [element, type, handler] of this.handlers) element.removeEventListener(type, handler);
        this.rfb?.disconnect();
    }
}
