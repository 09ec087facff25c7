/**
 * `ppkg diff`: two packages or project files, each turned into the inspect
 * model (a project through the compiler, docs/inspect.md), compared setting
 * by setting.
 */
export { diffModels, DIFF_FORMAT, DIFF_VERSION, type DiffResult, type DiffSide, type SettingChange, type FileChange, type Change } from './compare';
export { renderDiffText } from './text';
export { inspectProjectFile, ProjectReadError } from './project';
