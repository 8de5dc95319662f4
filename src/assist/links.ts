// The two links the session card offers: the device's page in the Intune admin center, and Intune's own
// session link once it is known to be safe to open.

/** Longer than any link Intune hands out, short enough for a card (Teams refuses messages over ~28 KB). */
const MAX_URL_LENGTH = 2048;

/**
 * The device's Overview page in the Intune admin center (Devices › All devices › the device), where a
 * technician launches Remote Help or the partner's remote assistance. The admin center's own route for it.
 */
export function intuneDevicePage(adminCenterUrl: string, deviceId: string): string {
  return `${adminCenterUrl}/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/${encodeURIComponent(deviceId)}`;
}

export type CheckedLink = { ok: true; url: string } | { ok: false; reason: string };

/**
 * A link from Intune is text from outside that becomes a button: only an https URL without credentials
 * is offered (a `javascript:`, `data:` or plain-http link is refused), in its normalised form.
 */
export function checkSessionUrl(text: string): CheckedLink {
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: 'too long' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol}` };
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL' };
  return { ok: true, url: url.href };
}
