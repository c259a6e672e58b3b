// Native modal dialogs for Blazor components: the browser traps the focus, makes the page behind inert
// and closes the dialog on Escape. Blazor decides whether a dialog is open, so a close the browser does
// by itself (Escape) is reported back, and the focus goes back to the control that opened the dialog.
export function showModal(dialog, component) {
    const opener = document.activeElement;
    let closedByBlazor = false;
    dialog.addEventListener('close', () => {
        if (!closedByBlazor) component.invokeMethodAsync('Dismiss').catch(() => { });
    });
    dialog.showModal();
    return {
        close() {
            closedByBlazor = true;
            if (dialog.open) dialog.close();
            if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
        },
    };
}
