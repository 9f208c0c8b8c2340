/**
 * Listing of an image-folder dataset in the ImageNet-100 layout:
 *
 *     root/train/<class>/<image>
 *     root/val/<class>/<image>
 *     root/Labels.json          optional: class folder name -> readable name
 *
 * @module
 */
import { dirname, extname, join, resolve } from "node:path";
import { compareCodeUnits } from "./_compare.ts";
import { forEachWithConcurrency } from "./_pool.ts";
import { IMAGE_EXTENSIONS } from "./decode_image.ts";

/** One image file of a split. */
export interface ImageFileEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the dataset root with `/` separators, for example `train/cat/0001.jpg`. */
  relativePath: string;
  /** Index of the class folder in the sorted train class folders. */
  label: number;
  /** File size in bytes. */
  size: number;
  /** Modification time in milliseconds since the epoch, or 0 where the file system has none. */
  mtimeMs: number;
}

/** The files and classes of an image-folder dataset, before decoding. */
export interface ImageFolderLayout {
  /** Absolute path of the dataset root. */
  root: string;
  /** Class folder names under `train/`, sorted by code unit; index i is label i. */
  classFolders: string[];
  /**
   * Readable class names from `Labels.json`, or the folder names where it has none.
   * A name shared by several classes gets its folder name appended, for example
   * `crane (n02012849)` and `crane (n03126707)`, so every name is unique.
   */
  classNames: string[];
  /** Train files, ordered by label and then by file name. */
  train: ImageFileEntry[];
  /** Val files, ordered by label and then by file name. */
  val: ImageFileEntry[];
  /** Notes for the user on entries the listing ignored or names it changed, one sentence each; empty when none. */
  notes: string[];
}

const LAYOUT_HINT = "expected <root>/train/<class>/<image> and <root>/val/<class>/<image>";

/**
 * Lists the classes and image files of an image-folder dataset.
 *
 * Classes are the sorted folder names under `train/`. Hidden entries (names
 * starting with `.`), files whose extension is not in {@linkcode IMAGE_EXTENSIONS}
 * (case-insensitive) and folders nested inside a class folder are ignored; the
 * last two are named in `notes`, as are class names made unique.
 *
 * @param root Dataset root folder.
 * @returns The layout with file sizes and modification times.
 * @throws When `root`, `train/` or `val/` is missing, when `train/` or `val/` has
 * no class folders, when a class folder has no images, when `val/` has a class
 * that `train/` lacks, or when `Labels.json` is invalid.
 */
export async function scanImageFolder(root: string): Promise<ImageFolderLayout> {
  const absoluteRoot = resolve(root);
  await requireDirectory(absoluteRoot, `Image folder ${absoluteRoot}`);
  await requireDirectory(join(absoluteRoot, "train"), `Train folder ${join(absoluteRoot, "train")}`);
  await requireDirectory(join(absoluteRoot, "val"), `Val folder ${join(absoluteRoot, "val")}`);

  const classFolders = (await listFolder(join(absoluteRoot, "train"))).directories;
  if (classFolders.length === 0) {
    throw new Error(`No class folders in ${join(absoluteRoot, "train")}; ${LAYOUT_HINT}`);
  }
  const valClassFolders = (await listFolder(join(absoluteRoot, "val"))).directories;
  if (valClassFolders.length === 0) {
    throw new Error(`No class folders in ${join(absoluteRoot, "val")}; ${LAYOUT_HINT}`);
  }
  requireValClassesInTrain(absoluteRoot, classFolders, valClassFolders);

  const readableNames = await readClassNames(join(absoluteRoot, "Labels.json"), classFolders);
  const { names: classNames, note: namesNote } = makeClassNamesUnique(readableNames, classFolders);
  const ignored: IgnoredEntries = { folders: [], files: [], brokenLinks: [] };
  const train = await listSplitFiles(absoluteRoot, "train", classFolders, classFolders, ignored);
  const val = await listSplitFiles(absoluteRoot, "val", valClassFolders, classFolders, ignored);
  const notes = [
    namesNote,
    describeClassesWithoutVal(classFolders, valClassFolders),
    ...describeIgnored(ignored),
  ]
    .filter((note): note is string => note !== undefined);
  return { root: absoluteRoot, classFolders, classNames, train, val, notes };
}

/** Returns a note naming the train classes that have no val folder, or undefined when all have one. */
function describeClassesWithoutVal(trainClasses: string[], valClasses: string[]): string | undefined {
  const inVal = new Set(valClasses);
  const missing = trainClasses.filter((name) => !inVal.has(name));
  if (missing.length === 0) return undefined;
  return `${missing.length} train class(es) without a val folder (${quotePaths(missing)}): ` +
    "they are trained on but never evaluated. Add val/<class>/ folders to evaluate them.";
}

/** Entries inside class folders that the listing skipped, as paths relative to the root. */
interface IgnoredEntries {
  folders: string[];
  files: string[];
  /** Symbolic links whose target is missing or part of a loop. */
  brokenLinks: string[];
}

/** Maximum number of ignored paths a note quotes before it counts the rest. */
const QUOTED_PATHS = 5;

function quotePaths(paths: string[]): string {
  const shown = paths.slice(0, QUOTED_PATHS).join(", ");
  return paths.length > QUOTED_PATHS ? `${shown} and ${paths.length - QUOTED_PATHS} more` : shown;
}

function describeIgnored(ignored: IgnoredEntries): string[] {
  const notes: string[] = [];
  if (ignored.folders.length > 0) {
    notes.push(
      `Ignored ${ignored.folders.length} folder(s) nested inside class folders (${
        quotePaths(ignored.folders)
      }): ` +
        `only images directly inside <split>/<class>/ are read. Move their images up into the class folder to use them.`,
    );
  }
  if (ignored.files.length > 0) {
    notes.push(
      `Ignored ${ignored.files.length} file(s) whose extension is not an image extension ` +
        `(${quotePaths(ignored.files)}); the extensions read are ${[...IMAGE_EXTENSIONS].join(", ")}.`,
    );
  }
  if (ignored.brokenLinks.length > 0) {
    notes.push(
      `Ignored ${ignored.brokenLinks.length} symbolic link(s) whose target is missing or a loop ` +
        `(${quotePaths(ignored.brokenLinks)}); fix or remove them.`,
    );
  }
  return notes;
}

/**
 * Appends the folder name to every readable name that more than one class has, so
 * reports and stored results can tell the classes apart. ImageNet itself has such
 * names (two classes are called "crane").
 *
 * @param names Readable names, one per class folder.
 * @param classFolders Class folder names in the same order.
 * @returns The unique names, and a note naming the renamed classes when there were any.
 */
export function makeClassNamesUnique(
  names: string[],
  classFolders: string[],
): { names: string[]; note?: string } {
  const uses = new Map<string, number>();
  for (const name of names) uses.set(name, (uses.get(name) ?? 0) + 1);
  const shared = names.filter((name) => uses.get(name)! > 1);
  if (shared.length === 0) return { names };
  const unique = names.map((name, i) => uses.get(name)! > 1 ? `${name} (${classFolders[i]})` : name);
  const renamed = [...new Set(shared)].map((name) => JSON.stringify(name)).join(", ");
  return {
    names: unique,
    note:
      `Several classes share the readable name(s) ${renamed}; the folder name was appended to tell them apart.`,
  };
}

async function requireDirectory(path: string, description: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${description} not found; ${LAYOUT_HINT}`);
    throw error;
  }
  if (!info.isDirectory) throw new Error(`${description} is not a folder; ${LAYOUT_HINT}`);
}

/** The non-hidden folders and files of a folder, each sorted by code unit. */
interface FolderEntries {
  directories: string[];
  files: string[];
  /** Symbolic links that lead nowhere: a missing target or a loop. */
  brokenLinks: string[];
}

/** Returns the target's details of the link `path`, or undefined when it leads nowhere. */
async function linkTarget(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    // A loop of links fails with ELOOP, which Deno reports as FilesystemLoop.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.FilesystemLoop) {
      return undefined;
    }
    throw error;
  }
}

/** Lists the non-hidden folders and files of `dir`, following symbolic links. */
async function listFolder(dir: string): Promise<FolderEntries> {
  const entries: FolderEntries = { directories: [], files: [], brokenLinks: [] };
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".")) continue;
    let isDirectory = entry.isDirectory;
    let isFile = entry.isFile;
    if (entry.isSymlink) {
      const target = await linkTarget(join(dir, entry.name));
      if (target === undefined) {
        entries.brokenLinks.push(entry.name);
        continue;
      }
      isDirectory = target.isDirectory;
      isFile = target.isFile;
    }
    if (isDirectory) entries.directories.push(entry.name);
    else if (isFile) entries.files.push(entry.name);
  }
  entries.directories.sort(compareCodeUnits);
  entries.files.sort(compareCodeUnits);
  return entries;
}

function requireValClassesInTrain(root: string, trainClasses: string[], valClasses: string[]): void {
  const known = new Set(trainClasses);
  const unknown = valClasses.filter((name) => !known.has(name));
  if (unknown.length === 0) return;
  throw new Error(
    `Val class folders missing from ${join(root, "train")}: ${unknown.join(", ")}. ` +
      `Every folder in ${
        join(root, "val")
      } needs a train folder of the same name; add it or remove the val folder.`,
  );
}

async function listSplitFiles(
  root: string,
  split: "train" | "val",
  splitClassFolders: string[],
  allClassFolders: string[],
  ignored: IgnoredEntries,
): Promise<ImageFileEntry[]> {
  const entries: Omit<ImageFileEntry, "size" | "mtimeMs">[] = [];
  const emptyFolders: string[] = [];
  for (const classFolder of splitClassFolders) {
    const label = allClassFolders.indexOf(classFolder);
    const folder = join(root, split, classFolder);
    const { directories, files, brokenLinks } = await listFolder(folder);
    ignored.brokenLinks.push(...brokenLinks.map((name) => `${split}/${classFolder}/${name}`));
    const isImage = (name: string) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
    const images = files.filter(isImage);
    ignored.folders.push(...directories.map((name) => `${split}/${classFolder}/${name}/`));
    ignored.files.push(
      ...files.filter((name) => !isImage(name)).map((name) => `${split}/${classFolder}/${name}`),
    );
    if (images.length === 0) emptyFolders.push(folder);
    for (const name of images) {
      entries.push({ path: join(folder, name), relativePath: `${split}/${classFolder}/${name}`, label });
    }
  }

  if (emptyFolders.length > 0) {
    throw new Error(
      `Class folders without images: ${emptyFolders.join(", ")}. ` +
        `Add images (${[...IMAGE_EXTENSIONS].join(", ")}) or remove the folders.`,
    );
  }
  return await addFileStats(entries);
}

async function addFileStats(entries: Omit<ImageFileEntry, "size" | "mtimeMs">[]): Promise<ImageFileEntry[]> {
  const result = new Array<ImageFileEntry>(entries.length);
  await forEachWithConcurrency(entries, 32, async (entry, index) => {
    const info = await Deno.stat(entry.path);
    result[index] = { ...entry, size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 };
  });
  return result;
}

/**
 * Reads `Labels.json` and returns one readable name per class folder.
 *
 * The file must be a JSON object whose keys are class folder names and whose
 * values are non-empty strings. A class folder without a key keeps its folder
 * name. Without the file, the folder names are the class names.
 *
 * @param path Path of `Labels.json`.
 * @param classFolders Sorted class folder names.
 * @returns Names in the order of `classFolders`.
 * @throws When the file is not valid JSON, is not an object, has a non-string
 * value, has a key that is not a single folder name (for example `../x`), or has
 * a key that names no class folder under `train/`.
 */
export async function readClassNames(path: string, classFolders: string[]): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [...classFolders];
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${path} could not be read (${reason}); make it a JSON file or remove it.`);
  }

  const readableNames = parseLabelsJson(path, text);
  requireKnownFolders(path, readableNames, classFolders);
  return classFolders.map((folder) => readableNames.get(folder) ?? folder);
}

function parseLabelsJson(path: string, text: string): Map<string, string> {
  const expected = `${path} must be a JSON object mapping class folder names to readable names`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Invalid JSON in ${path} (${(error as Error).message}); ${expected}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `Invalid ${path}: ${expected}, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
    );
  }

  const names = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (key === "" || key === "." || key === ".." || key.includes("/") || key.includes("\\")) {
      throw new Error(
        `Invalid key ${JSON.stringify(key)} in ${path}: keys must be single class folder names ` +
          `under train/, without "/", "\\" or "..".`,
      );
    }
    if (typeof value !== "string" || value.length === 0) {
      throw new Error(
        `Invalid value for ${JSON.stringify(key)} in ${path}: expected a non-empty string, ` +
          `got ${JSON.stringify(value)}. Give each class folder its readable name, for example "tench".`,
      );
    }
    names.set(key, value);
  }
  return names;
}

function requireKnownFolders(path: string, readableNames: Map<string, string>, classFolders: string[]): void {
  const known = new Set(classFolders);
  const unknown = [...readableNames.keys()].filter((key) => !known.has(key));
  if (unknown.length === 0) return;
  throw new Error(
    `Invalid key(s) ${unknown.map((key) => JSON.stringify(key)).join(", ")} in ${path}: ` +
      `no such class folder in ${join(dirname(path), "train")}. ` +
      `Remove the keys or add the folders.`,
  );
}
