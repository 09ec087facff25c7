import { latestSafeExpiry } from './dates';

/** A commented starter project, as `ppkg init` and ppkg: New Project write it. */
export function starterProject(options: { name: string; id: string; today: Date; schemaRef?: string }): string {
  const expiry = latestSafeExpiry(options.today);
  const schema = options.schemaRef ? `  "$schema": ${JSON.stringify(options.schemaRef)},\n` : '';
  return `// ${options.name}: a Windows provisioning package for bulk enrollment, as code.
// Validate: ppkg validate <this file>    Build: ppkg build <this file>
// Secrets are references: the CLI reads PPKG_SECRET_<NAME>, VS Code its SecretStorage.
{
${schema}  "name": ${JSON.stringify(options.name)},
  // The package ID: keep it for every version of this package.
  "id": "{${options.id}}",
  // Raise the version whenever you change a package that devices already applied.
  "version": "1.0",
  "owner": "ITAdmin",
  "rank": 0,

  // Set up device. Only what you write is written to the package:
  // add "sharedUse": true or "removePreinstalledSoftware": true to turn those on.
  "device": {
    // %SERIAL% is the serial number (cut from the left to fit 15 characters); %RAND:x% is x random digits.
    "name": "PC-%SERIAL%"
  },

  // Set up network: remove this section for wired networks.
  "network": {
    "wifi": {
      "ssid": "Setup-WiFi",
      "security": "WPA2-Personal",
      "key": { "secret": "wifi-key" },
      "autoConnect": true
    }
  },

  // Account management
  "account": {
    "entra": {
      // ppkg token (or ppkg: Fetch Bulk Token) fetches the token and records its real expiry here.
      "tokenExpiry": "${expiry}",
      "token": { "secret": "bulk-token" }
    },
    "localAdmin": {
      "user": "localadmin",
      "password": { "secret": "local-admin-password" }
    }
  },

  // Add applications: each runs as SYSTEM during setup and must install silently.
  "applications": [
    // { "name": "Agent", "installer": "installers/agent.msi", "commandLine": "msiexec /i agent.msi /qn /norestart" }
  ],

  // Add certificates: .cer/.crt for root or CA certificates, .pfx (with a password secret) for client certificates.
  "certificates": [
    // { "name": "Contoso Root CA", "file": "certificates/root.cer" }
  ]
}
`;
}

/** A file name from a package name: "CTS Desktops" → "cts-desktops.ppkg.json". */
export function projectFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'project'}.ppkg.json`;
}
