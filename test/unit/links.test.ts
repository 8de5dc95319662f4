import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSessionUrl, intuneDevicePage } from '../../src/assist/links';

describe('the links on the session card', () => {
  it("opens the device's overview in the admin center configured", () => {
    assert.equal(
      intuneDevicePage('https://intune.microsoft.com', 'd0000000-0000-4000-8000-000000000003'),
      'https://intune.microsoft.com/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/d0000000-0000-4000-8000-000000000003',
    );
    assert.match(intuneDevicePage('https://intune.microsoft.us', 'a/b#c'), /^https:\/\/intune\.microsoft\.us\/#view\/.*\/mdmDeviceId\/a%2Fb%23c$/);
  });

  it("offers Intune's session link only when it is https, without credentials, of a sane length", () => {
    assert.deepEqual(checkSessionUrl('https://start.teamviewer.com/m123?token=a b'), { ok: true, url: 'https://start.teamviewer.com/m123?token=a%20b' });
    for (const [text, reason] of [
      ['http://start.teamviewer.com/m123', 'scheme http:'],
      ['javascript:alert(document.cookie)', 'scheme javascript:'],
      ['data:text/html,<script>alert(1)</script>', 'scheme data:'],
      ['HTTPS://user:pass@evil.example/', 'credentials in the URL'],
      ['/relative/session', 'not a URL'],
      [`https://example.com/${'a'.repeat(2100)}`, 'too long'],
    ]) {
      assert.deepEqual(checkSessionUrl(text), { ok: false, reason }, text);
    }
  });
});
