/**
 * The SHA-256 a package records for each shipped file: ICD puts every file
 * under `DataAsset/<k>/<n>_<b64>/<file>`, where `<b64>` is the padded
 * Base64 of the file's SHA-256 with `/` written as `.` (docs/compiled-forms.md,
 * DataAsset; it matched every asset of the observed packages).
 */

/** Lower-case hex, or undefined for a path not in that form. */
export function recordedSha256(packagePath: string): string | undefined {
  const m = /^DataAsset\/\d+\/\d+_([A-Za-z0-9+.]{43}=)\/[^/]+$/.exec(packagePath);
  return m ? Buffer.from(m[1]!.replace(/\./g, '/'), 'base64').toString('hex') : undefined;
}
