// The session page's desktop: noVNC's RFB client on the gateway's WebSocket.
import RFB from '/lib/novnc/core/rfb.js';

const viewers = new WeakMap();

// Connects the desktop into `element`. noVNC's disconnect event does not say why the server closed, so the
// page opens the WebSocket itself and listens to its close first: the gateway's close code and reason
// (Viewers/CloseReason.cs: session ended, access revoked, permission changed, ...) go to the page with the disconnect.
export function connect(element, path, options, page) {
    disconnect(element);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${path}`, ['binary']);
    let closed = { code: 0, reason: '' };
    // Registered before noVNC takes the socket, so it runs before noVNC's own handler raises 'disconnect'.
    socket.addEventListener('close', e => { closed = { code: e.code, reason: e.reason }; });

    const rfb = new RFB(element, socket);
    const viewer = { rfb, leaving: false };
    viewers.set(element, viewer);

    // View Only: noVNC sends no keys, pointer or clipboard (the gateway drops them anyway). Only the owner (or an
    // admin) resizes the desktop to their window; everyone else sees it scaled to fit, and the gateway drops their
    // resize requests anyway.
    rfb.viewOnly = options.viewOnly;
    rfb.resizeSession = options.canResize;
    rfb.scaleViewport = true;
    rfb.focusOnClick = !options.viewOnly;

    element.dataset.state = 'connecting';
    element.dataset.viewOnly = String(options.viewOnly);
    rfb.addEventListener('connect', () => {
        element.dataset.state = 'connected';
        if (!options.viewOnly) rfb.focus();
        page.invokeMethodAsync('OnConnected').catch(() => { });
    });
    rfb.addEventListener('disconnect', () => {
        element.dataset.state = 'disconnected';
        if (viewers.get(element) === viewer) viewers.delete(element);
        // A disconnect the page asked for needs no explanation.
        if (!viewer.leaving) page.invokeMethodAsync('OnDisconnected', closed.code, closed.reason).catch(() => { });
    });
    rfb.addEventListener('clipboard', e => {
        page.invokeMethodAsync('OnDesktopClipboard', e.detail.text).catch(() => { });
    });
}

export function disconnect(element) {
    const viewer = viewers.get(element);
    if (!viewer) return;
    viewer.leaving = true;
    viewers.delete(element);
    viewer.rfb.disconnect();
}

// Sends text to the desktop's clipboard (Full Access only: noVNC ignores it when view-only).
export function sendClipboard(element, text) {
    viewers.get(element)?.rfb.clipboardPasteFrom(text);
}

export function fullscreen(element) {
    (element.closest('.session-page') ?? element).requestFullscreen?.();
}
