// Package watch reports which package directories below a root changed.
//
// [Watch] follows a tree of Go package directories and calls back with the
// slash-separated paths, relative to the root, of the directories whose Go
// files were created, written, renamed or removed, and of directories that
// appeared or disappeared. It reports directories, never files: the caller is
// expected to re-read a reported directory and decide for itself whether
// anything it cares about changed. A spurious report is therefore harmless,
// and the package prefers one to a missed change.
//
// A file is relevant when its name ends in ".go", does not end in "_test.go"
// and does not start with "." or "_", the files the Go toolchain would
// compile. Writes to other files (editor backups such as "a.go~" or
// ".a.go.swp", probe files such as "4913", "notes.txt") are ignored.
// Directories whose names start with "." or "_", and directories named
// "testdata" or "vendor", are neither watched nor reported, and symbolic
// links to directories are not followed.
//
// Events are debounced per directory: a directory is reported once its
// events have been quiet for [Options.Debounce], so that an editor's save
// sequence (rename away, create, write, chmod, remove backup) or a truncate
// followed by a write yields one report after the file is complete. A
// directory written continuously is still reported every ten debounce
// windows.
//
// File system notifications are not complete: a directory created with files
// already inside, or moved into the tree, produces a single event; a watch
// may be dropped or the kernel queue may overflow. Watch therefore scans a
// new directory as soon as it appears, and rescans the whole tree every
// [Options.Rescan], comparing the name, size and modification time of every
// relevant file, to report whatever the notifications missed.
package watch
