import { escapeHtml as e } from './sandbox-http';
import type { SandboxAttestation, SandboxAttestationStatus } from './sandbox-state';
import { MCA_LINK } from './sandbox-seed';

// The sandbox's own HTML: the sign-in page it shows as Microsoft Entra, and the acceptance page it shows as
// Microsoft to the customer's signatory. Every value is escaped: names come from users and customers.

export const SANDBOX_CSS = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f2f1;color:#1b1a19}
header{background:#fff;border-bottom:1px solid #e1dfdd;padding:.75rem 1.5rem;font-weight:600}
header span{color:#605e5c;font-weight:400}
main{max-width:40rem;margin:2rem auto;background:#fff;padding:2rem;border-radius:4px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin-top:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
button{font:inherit;background:#0067b8;color:#fff;border:0;padding:.6rem 1.5rem;border-radius:2px;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #1b1a19;outline-offset:2px}
.note{color:#605e5c;font-size:.9rem}.status{padding:.75rem 1rem;border-left:4px solid #107c10;background:#dff6dd}
.status.warning{border-color:#a4262c;background:#fde7e9}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} – Partner Center sandbox</title><link rel="stylesheet" href="/sandbox.css"></head>
<body><header>Microsoft <span>(Partner Center sandbox)</span></header>
<main>${body}</main></body></html>`;
}

export function authorizePage(action: string, fields: Record<string, string>, user: string): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join('');
  return layout(
    'Sign in',
    `<h1>Sign in as a Partner Center user</h1>
<p>The app is asking to act in Partner Center as this user. Microsoft would ask for a password and multi-factor
authentication here; the sandbox signs you in directly.</p>
<dl><dt>User</dt><dd>${e(user)}</dd></dl>
<form method="post" action="${e(action)}">${hidden}<button type="submit">Sign in as ${e(user)}</button></form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${e(title)}</h1><p>${e(message)}</p>`);
}

const formatDate = (iso: string) => new Date(iso).toUTCString();

export function acceptancePage(attestation: SandboxAttestation, status: SandboxAttestationStatus): string {
  const signatory = `${attestation.signatoryFirstName} ${attestation.signatoryLastName}`;
  const details = `<dl><dt>Company</dt><dd>${e(attestation.companyName)}</dd><dt>Signatory</dt><dd>${e(signatory)}</dd>
<dt>Email</dt><dd>${e(attestation.signatoryEmail)}</dd><dt>Country</dt><dd>${e(attestation.country)}</dd></dl>`;
  if (status === 'accepted') {
    return layout(
      'Agreement accepted',
      `<h1>Microsoft Customer Agreement</h1>
<p class="status" role="status">Accepted on ${e(formatDate(attestation.acceptedAt as string))}. You can close this page.</p>${details}`,
    );
  }
  if (status === 'expired') {
    return layout(
      'Link expired',
      `<h1>Microsoft Customer Agreement</h1>
<p class="status warning">This link expired on ${e(formatDate(attestation.expiresAt))}. Ask your partner for a new one.</p>${details}`,
    );
  }
  return layout(
    'Accept the Microsoft Customer Agreement',
    `<h1>Accept the Microsoft Customer Agreement</h1>
<p>Your Microsoft partner asks you to accept the Microsoft Customer Agreement on behalf of your organization, so that
it can buy and manage Microsoft cloud subscriptions for you.</p>
<ul><li>The agreement covers Microsoft products and services bought through your partner.</li>
<li>Your partner remains your point of contact for billing and support.</li>
<li>Read the full text: <a href="${MCA_LINK}" target="_blank" rel="noopener noreferrer">Microsoft Customer Agreement</a>.</li></ul>
${details}
<form method="post"><p>By selecting Accept, you confirm that you are authorized to accept this agreement for ${e(attestation.companyName)}.</p>
<button type="submit">Accept</button></form>
<p class="note">This link expires on ${e(formatDate(attestation.expiresAt))}.</p>`,
  );
}
