"""Find modules (folders in modules/ and installed packages), parse them once, keep the good ones."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from tilearn.engine.blocks import BlockType, PluginError, default_block_types
from tilearn.engine.levels import Level, LevelScheme
from tilearn.engine.lint import ID, sensitive_pattern
from tilearn.engine.parse import ModuleParser, parse_glossary
from tilearn.engine.registry import Registry
from tilearn.engine.render import LinkStyle, Renderer
from tilearn.engine.spec import Glossary, Module, Problem
from tilearn.engine.versions import VersionInfo, changes_after, stale_labels

#: Raise when the parser or rendering changes, so cached modules are rebuilt.
ENGINE_VERSION = "4"
ENTRY_POINT_GROUP = "tilearn.modules"
#: Every entry point group a tilearn plug-in package can use.
PLUGIN_GROUPS = ("tilearn.blocks", "tilearn.modules", "tilearn.plugins")
GLOSSARY_FILE = "glossary.md"
log = logging.getLogger("tilearn.engine")


@dataclass
class Library:
    """The modules that passed their checks, plus every problem found while loading."""

    scheme: LevelScheme
    glossary: Glossary = field(default_factory=Glossary)
    modules: dict[str, Module] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: every parsed module, including broken ones (for the trainer preview)
    all_modules: dict[str, Module] = field(default_factory=dict)
    #: the folder each module in all_modules was read from
    folders: dict[str, Path] = field(default_factory=dict)
    #: every published version of each module, oldest first (filled in by the site; see engine.versions)
    history: dict[str, tuple[VersionInfo, ...]] = field(default_factory=dict)
    #: modules no longer offered to learners (parsed, so their records can still be shown)
    retired: frozenset[str] = frozenset()

    def get(self, module_id: str) -> Module | None:
        """A servable module by id, or None."""
        return self.modules.get(module_id)

    def level_of(self, module: Module, scheme: LevelScheme | None = None) -> Level | None:
        """The level a module belongs to, in the given scheme (default: the one it was loaded with)."""
        return (scheme or self.scheme).level_for_module(module.level)

    def by_level(self, scheme: LevelScheme | None = None) -> list[tuple[Level, list[Module]]]:
        """Servable modules grouped by level in the scheme's order."""
        return [
            (level, [m for m in self.modules.values() if m.level in level.module_levels])
            for level in (scheme or self.scheme).levels
        ]

    def modules_up_to(self, level: Level, scheme: LevelScheme | None = None) -> list[Module]:
        """Every module at this level and the levels before it (the levels build on each other)."""
        return [m for lvl, modules in self.by_level(scheme) if lvl.number <= level.number for m in modules]

    def stale_labels(self, module_id: str) -> frozenset[str]:
        """The versions of a module whose holders are recommended a refresher (see engine.versions)."""
        return stale_labels(self.history.get(module_id, ()))

    def changes_since(self, module_id: str, label: str) -> list[VersionInfo]:
        """The versions of a module published after ``label``, oldest first."""
        return changes_after(label, self.history.get(module_id, ()))

    @property
    def errors(self) -> list[Problem]:
        """Problems that keep a module off the site."""
        return [p for p in self.problems if p.is_error]


def module_folders(directories: Iterable[Path]) -> list[Path]:
    """Every module folder in the given directories, in a stable order."""
    folders: list[Path] = []
    for directory in directories:
        if directory.is_dir():
            folders.extend(
                sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
            )
    return folders


def installed_module_directories() -> list[Path]:
    """Module directories contributed by installed packages (entry point group tilearn.modules).

    The entry point names a folder path, or a function returning one; a folder that
    does not exist is an error naming the package.
    """
    directories = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        package = entry.dist.name if entry.dist else entry.value
        value = entry.load()
        directory = Path(value() if callable(value) else value)
        if not directory.is_dir():
            raise PluginError(f"module folder {str(directory)!r} from package {package!r} does not exist")
        directories.append(directory)
    return directories


def plugin_versions() -> tuple[tuple[str, str], ...]:
    """The name and version of every installed package that plugs into tilearn, sorted."""
    found = set()
    for group in PLUGIN_GROUPS:
        for entry in entry_points(group=group):
            if entry.dist is not None:
                found.add((entry.dist.name, entry.dist.version))
    return tuple(sorted(found))


def content_hash(markdown_file: Path) -> str:
    """SHA-256 over the module file and every asset beside it."""
    digest = hashlib.sha256(markdown_file.read_bytes())
    for asset in sorted(p for p in markdown_file.parent.rglob("*") if p.is_file() and p != markdown_file):
        digest.update(str(asset.relative_to(markdown_file.parent)).encode())
        digest.update(hashlib.sha256(asset.read_bytes()).digest())
    return digest.hexdigest()


class _DiskCache:
    """Parsed modules pickled by cache key, so a restart is warm; written atomically."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> Module | None:
        if self.directory is None:
            return None
        try:
            with open(self.directory / f"{key}.pickle", "rb") as handle:
                module: Module = pickle.load(handle)  # our own cache files, written below
                return module
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError):
            return None

    def put(self, key: str, module: Module) -> None:
        if self.directory is None:
            return
        fd, temp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(module, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, self.directory / f"{key}.pickle")


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def load_library(
    directories: Iterable[Path],
    scheme: LevelScheme,
    blocks: Registry[BlockType] | None = None,
    cache_dir: Path | None = None,
    links: LinkStyle | None = None,
    display_root: Path | None = None,
    progress: Callable[[Path], None] | None = None,
    sensitive_words: Iterable[str] = (),
    site_folders: Mapping[str, Path] | None = None,
    retired: Collection[str] = (),
) -> Library:
    """Load every module and the glossary; broken modules are reported and left out.

    ``sensitive_words`` are an organisation's own additions to lint.SENSITIVE_WORDS.
    ``site_folders`` are the site's published modules (id → materialised folder): each wins over
    a folder of the same id in ``directories``. ``retired`` modules are parsed (their records
    still need them) but not served to learners.
    """
    sensitive_words = clean_words(sensitive_words)
    directories = list(directories)
    blocks = blocks if blocks is not None else default_block_types()
    renderer = Renderer(links)
    library = Library(scheme)
    glossary_hash = ""
    for directory in directories:
        glossary_path = directory / GLOSSARY_FILE
        if glossary_path.is_file():
            library.glossary, problems = parse_glossary(
                glossary_path, _display(glossary_path, display_root), renderer
            )
            library.problems.extend(problems)
            glossary_hash = hashlib.sha256(glossary_path.read_bytes()).hexdigest()
            break
    glossary_ids = library.glossary.ids() if library.glossary.terms else None
    parser = make_parser(scheme, blocks, renderer.links, glossary_ids, sensitive_words)
    cache = _DiskCache(cache_dir)
    # Upgrading a plug-in can change how its blocks parse, so its version is part of the key.
    salt = (
        f"{ENGINE_VERSION}|{renderer.links}|{scheme}|{glossary_hash}|{sorted(blocks)}|{plugin_versions()}"
        f"|{sensitive_words}"
    )
    site = dict(site_folders or {})
    folders = [(f, _display(f, display_root)) for f in module_folders(directories) if f.name not in site]
    folders += [(folder, _display(folder, display_root)) for _id, folder in sorted(site.items())]
    for folder, display in folders:
        if progress:
            progress(folder)
        module = _load_folder(folder, parser, cache, salt, library, display)
        if module is None:
            continue
        library.problems.extend(module.problems)
        if module.id in library.all_modules:
            library.problems.append(
                Problem(
                    module.path,
                    1,
                    f"duplicate module id '{module.id}' (also in "
                    f"{library.all_modules[module.id].path}); this one is left out",
                )
            )
            continue
        library.all_modules[module.id] = module
        library.folders[module.id] = folder
        if not any(p.is_error for p in module.problems):
            library.modules[module.id] = module
    _check_prerequisites(library)
    library.retired = frozenset(retired)
    for module_id in library.retired:
        library.modules.pop(module_id, None)
    # Each message once, by file and line (the site's log, the preview and `modules lint` agree).
    library.problems = sorted(dict.fromkeys(library.problems), key=lambda p: (p.path, p.line))
    library.modules = dict(sorted(library.modules.items(), key=lambda item: _order(library.scheme, item[1])))
    for problem in library.problems:
        log.log(logging.ERROR if problem.is_error else logging.WARNING, "%s", problem)
    return library


def _load_folder(
    folder: Path,
    parser: ModuleParser,
    cache: _DiskCache,
    salt: str,
    library: Library,
    display: str,
) -> Module | None:
    if not ID.match(folder.name):
        library.problems.append(
            Problem(display, 1, "folder name must be a module id: lower-case letters, digits, hyphens")
        )
        return None
    files = sorted(folder.glob("*.md"))
    if len(files) != 1:
        what = "no markdown file" if not files else f"{len(files)} markdown files; keep exactly one"
        library.problems.append(Problem(display, 1, f"module folder has {what}"))
        return None
    path = files[0]
    display = f"{display}/{path.name}"
    try:
        digest = content_hash(path)
    except OSError as error:
        library.problems.append(Problem(display, 1, f"cannot be read: {error}"))
        return None
    key = hashlib.sha256(f"{digest}|{salt}|{display}".encode()).hexdigest()
    module = cache.get(key)
    if module is None:
        module = parser.parse(path, display, digest)
        cache.put(key, module)
    return module


def make_parser(
    scheme: LevelScheme,
    blocks: Registry[BlockType] | None = None,
    links: LinkStyle | None = None,
    glossary_ids: frozenset[str] | None = None,
    sensitive_words: Iterable[str] = (),
) -> ModuleParser:
    """The module parser the library uses, for one scheme, block registry, glossary and word list."""
    blocks = blocks if blocks is not None else default_block_types()
    return ModuleParser(
        scheme, blocks, Renderer(links), glossary_ids, sensitive_pattern(clean_words(sensitive_words))
    )


def clean_words(words: Iterable[str]) -> tuple[str, ...]:
    """An organisation's extra sensitive words: trimmed, lower case, sorted, each once."""
    return tuple(sorted({w.strip().lower() for w in words if w.strip()}))


def prerequisite_problems(module: Module, known_ids: Collection[str]) -> list[Problem]:
    """A prerequisite that is empty or names no known module (an error: it keeps the module off the site)."""
    problems = []
    for prerequisite in module.prerequisites:
        if not prerequisite.strip():
            problems.append(
                Problem(module.path, module.prerequisites_line, "a prerequisite is empty; name a module")
            )
        elif prerequisite not in known_ids:
            problems.append(
                Problem(
                    module.path,
                    module.prerequisites_line,
                    f"prerequisite '{prerequisite}' is not a known module; use the id of "
                    "a module on this site, or remove it",
                )
            )
    return problems


def _check_prerequisites(library: Library) -> None:
    for module in list(library.modules.values()):
        problems = prerequisite_problems(module, library.all_modules)
        if problems:
            library.problems.extend(problems)
            library.modules.pop(module.id, None)


def _order(scheme: LevelScheme, module: Module) -> tuple[int, str]:
    level = scheme.level_for_module(module.level)
    return (level.number if level else 99, module.id)
