// The session page's desktop: noVNC's RFB client on the gateway's WebSocket.
import RFB from '/lib/novnc/core/rfb.js';

const viewers = new WeakMap();

export function connect(element, path, page) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const rfb = new RFB(element, `${scheme}//${location.host}${path}`, { wsProtocols: ['binary'] });
    rfb.scaleViewport = true;
    rfb.resizeSession = false;
    rfb.focusOnClick = true;
    rfb.addEventListener('connect', () => {
        rfb.focus();
        page.invokeMethodAsync('OnConnected');
    });
    rfb.addEventListener('disconnect', () => {
        viewers.delete(element);
        page.invokeMethodAsync('OnDisconnected');
    });
    viewers.set(element, rfb);
    element.dataset.state = 'connecting';
    rfb.addEventListener('connect', () => { element.dataset.state = 'connected'; });
    rfb.addEventListener('disconnect', () => { element.dataset.state = 'disconnected'; });
}

export function disconnect(element) {
    viewers.get(element)?.disconnect();
    viewers.delete(element);
}

export function fullscreen(element) {
    (element.closest('.session-page') ?? element).requestFullscreen?.();
}
