import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readManifest, type ManifestEntry } from '../figures/manifest';
import { packageVersions } from '../results/provenance';
import { projectRoot } from '../util/paths';

/**
 * `provenance.*` and `software.*` in _variables.yml: which commit made each figure and table (from
 * figures/manifest.json, which every showFigure/showTable call records), the repository those
 * commits can be read in, and the software versions. report/report.lua reads `provenance.figures`
 * to put a source line under every figure and table of the PDF.
 */

/** A repository's web address from package.json `repository` or git's `origin` remote; undefined when neither is set. */
export function repositoryUrl(root: string = projectRoot()): string | undefined {
  let raw: string | undefined;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
    raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  } catch {
    raw = undefined;
  }
  if (!raw) {
    try {
      raw = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
    } catch {
      raw = undefined;
    }
  }
  return raw === undefined ? undefined : webUrl(raw);
}

/** "git@github.com:o/r.git", "git+https://github.com/o/r.git", "github:o/r" → "https://github.com/o/r"; a local path → undefined. Pure. */
export function webUrl(raw: string): string | undefined {
  const s = raw.trim();
  const short = /^(github|gitlab|bitbucket):([\w.-]+\/[\w.-]+)$/.exec(s);
  if (short) return `https://${short[1]}.${short[1] === 'bitbucket' ? 'org' : 'com'}/${short[2].replace(/\.git$/, '')}`;
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(\.git)?$/.exec(s);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = /^(?:git\+)?(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/]+)\/(.+?)(\.git)?\/?$/.exec(s);
  if (url) return `https://${url[1]}/${url[2]}`;
  return undefined; // a path on this machine is no address for a reader
}

/** The address of a notebook at a commit, on the forges whose layout we know (GitHub, GitLab, Bitbucket). */
export function notebookUrl(repo: string | undefined, commit: string, notebook: string): string | undefined {
  if (!repo || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
  const file = `notebooks/${notebook}.ipynb`;
  if (repo.includes('gitlab')) return `${repo}/-/blob/${commit}/${file}`;
  if (repo.includes('bitbucket')) return `${repo}/src/${commit}/${file}`;
  return `${repo}/blob/${commit}/${file}`;
}

export interface FigureSource {
  notebook: string;
  commit: string;
  /** "yes" when the notebook ran with uncommitted changes to tracked code. */
  dirty: string;
  url: string;
}

/** Per figure or table id: the notebook and commit that made it, and the link when a repository is known. */
export function figureSources(figures: Record<string, ManifestEntry>, repo: string | undefined): Record<string, FigureSource> {
  const out: Record<string, FigureSource> = {};
  for (const [id, e] of Object.entries(figures)) {
    out[id] = { notebook: e.notebook, commit: e.gitCommit, dirty: e.gitDirty ? 'yes' : 'no', url: notebookUrl(repo, e.gitCommit, e.notebook) ?? '' };
  }
  return out;
}

/** One sentence on which commits made the figures: "All 48 figures and tables were made at commit c1b98d1." */
export function commitsSentence(figures: Record<string, ManifestEntry>): string {
  const byCommit = new Map<string, string[]>();
  for (const e of Object.values(figures)) byCommit.set(e.gitCommit, [...(byCommit.get(e.gitCommit) ?? []), e.id]);
  const n = Object.keys(figures).length;
  const dirty = Object.values(figures).filter((e) => e.gitDirty).length;
  const short = (c: string) => (/^[0-9a-f]{40}$/.test(c) ? c.slice(0, 7) : c);
  const groups = [...byCommit].sort((a, b) => b[1].length - a[1].length);
  const main =
    groups.length === 0
      ? 'No figure has been generated yet.'
      : groups.length === 1
        ? `All ${n} figures and tables were made by their notebooks at commit ${short(groups[0][0])}.`
        : `The ${n} figures and tables were made at ${groups.length} commits: ${groups.map(([c, ids]) => `${ids.length} at ${short(c)}`).join(', ')}.`;
  return dirty === 0 ? main : `${main} ${dirty} of them ${dirty === 1 ? "was" : "were"} made with uncommitted changes to the code, so their commit alone does not reproduce them.`;
}

export function provenanceVariables(figuresDir: string, root: string = projectRoot()): Record<string, unknown> {
  const figures = readManifest(figuresDir).figures;
  const repo = repositoryUrl(root);
  return {
    repository_url: repo ?? '',
    repository_sentence: repo
      ? `The code and every commit named here are in the repository ${repo}.`
      : 'No repository address is configured (package.json has no repository field and git no origin remote), so commits are named without links.',
    commits_sentence: commitsSentence(figures),
    figures: figureSources(figures, repo),
  };
}

/** `software.*`: the versions that made the results and the report (Node.js and TensorFlow as the committed runs record them). */
export function softwareVariables(runs: ReadonlyArray<{ run: Record<string, unknown> }>): Record<string, string> {
  const pick = (f: (r: Record<string, unknown>) => string | undefined) => [...new Set(runs.map((r) => f(r.run)).filter((v): v is string => !!v))].sort().join(', ') || 'not recorded';
  const env = (r: Record<string, unknown>) => r.environment as Record<string, unknown> | undefined;
  const detail = (r: Record<string, unknown>) => (r.backendInfo as { detail?: string } | undefined)?.detail;
  const versions = packageVersions(['@tensorflow/tfjs', '@tensorflow/tfjs-node', 'tslab', 'plotly.js-dist-min', 'danfojs-node', 'ml-pca', 'typescript']);
  return {
    node_training: pick((r) => env(r)?.node as string | undefined),
    node_report: process.version,
    tensorflow: pick((r) => /TensorFlow (\d+\.\d+\.\d+)/.exec(detail(r) ?? '')?.[1]),
    tfjs: pick((r) => (r.packages as Record<string, string> | undefined)?.['@tensorflow/tfjs']),
    tfjs_installed: versions['@tensorflow/tfjs'] ?? 'not installed',
    tslab: versions.tslab ?? 'not installed',
    plotly: versions['plotly.js-dist-min'] ?? 'not installed',
    danfojs: versions['danfojs-node'] ?? 'not installed',
    ml_pca: versions['ml-pca'] ?? 'not installed',
    typescript: versions.typescript ?? 'not installed',
  };
}
