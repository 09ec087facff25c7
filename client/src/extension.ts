// The VS Code extension entry point; replaced by the client.
export function activate(): void {}
export function deactivate(): void {}
