// The language server entry point; replaced by the LSP binding.
export {};
