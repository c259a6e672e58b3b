// Copies text for the user. navigator.clipboard exists only in secure contexts (https, or localhost), so a
// portal served over plain http on a LAN falls back to selecting the field and the older copy command.
export async function copyText(text, field) {
    if (navigator.clipboard && window.isSecureContext) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch { /* denied: try the fallback */ }
    }
    if (field) {
        field.focus();
        field.select();
        try { return document.execCommand('copy'); } catch { return false; }
    }
    return false;
}
