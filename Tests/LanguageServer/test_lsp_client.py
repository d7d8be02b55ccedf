#!/usr/bin/env python3
"""Drives `devflow lsp` as an editor does: a real process over stdio, spoken to by pygls's client, every message
typed by lsprotocol (so an answer that does not fit LSP 3.17 fails here). Usage: test_lsp_client.py PATH/TO/devflow"""

import asyncio
import os
import sys
import tempfile

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

DEVFLOW = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/devflow")

PIPELINE = """version: 1
name: "demo 😀"
on: {push: {branches: [main]}}
agents:
  guard: {uses: security-guardian}
steps:
  build:
    run: make
    outputs: [version]
  test:
    needs: [biuld]
    run: echo ${{ steps.build.outputs.version }}
    continue_on_error: "true"
"""

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


async def wait_for(predicate, what, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    check(False, what + " (timed out)")
    return False


async def main():
    workspace = tempfile.mkdtemp(prefix="devflow-lsp-")
    path = os.path.join(workspace, ".devflow.yml")
    with open(path, "w") as handle:
        handle.write(PIPELINE)
    uri = "file://" + path

    client = LanguageClient("devflow-lsp-test", "1")
    published = {}

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: t.PublishDiagnosticsParams):
        published[params.uri] = params

    await client.start_io(DEVFLOW, "lsp")
    result = await client.initialize_async(
        t.InitializeParams(
            capabilities=t.ClientCapabilities(
                general=t.GeneralClientCapabilities(position_encodings=[t.PositionEncodingKind.Utf16])
            ),
            root_uri="file://" + workspace,
            initialization_options={"debounceMilliseconds": 50},
        )
    )
    capabilities = result.capabilities
    check(capabilities.position_encoding == t.PositionEncodingKind.Utf16, "position encoding negotiated: utf-16")
    check(capabilities.text_document_sync.change == t.TextDocumentSyncKind.Incremental, "incremental sync")
    client.initialized(t.InitializedParams())

    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=PIPELINE))
    )
    await wait_for(lambda: uri in published, "diagnostics published on open")
    diagnostics = published[uri].diagnostics
    codes = sorted(d.code for d in diagnostics)
    check("DF007" in codes, f"unknown need reported (codes {codes})")
    need = next(d for d in diagnostics if d.code == "DF007")
    check(
        (need.range.start.line, need.range.start.character, need.range.end.character) == (10, 12, 17),
        f"the unknown need's range is the name 'biuld' ({need.range})",
    )
    check(need.severity == t.DiagnosticSeverity.Error, "an error is an error")

    # Fix the typo with an incremental change; the debounced lint publishes version 2 without the error.
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                t.TextDocumentContentChangePartial(
                    range=t.Range(t.Position(10, 12), t.Position(10, 17)), text="build"
                )
            ],
        )
    )
    await wait_for(lambda: published[uri].version == 2, "diagnostics republished after a change")
    check(all(d.code != "DF007" for d in published[uri].diagnostics), "the fixed need is no longer reported")

    # Completion of a step's keys, of needs, and inside an expression.
    def complete(line, character):
        return client.text_document_completion_async(
            t.CompletionParams(t.TextDocumentIdentifier(uri), t.Position(line, character))
        )

    items = await complete(11, len("    run: echo ${{ steps."))
    labels = [item.label for item in (items.items if hasattr(items, "items") else items)]
    check(labels == ["build"], f"steps in an expression are the ancestors ({labels})")
    items = await complete(11, len("    run: echo ${{ steps.build.outputs."))
    labels = [item.label for item in items.items]
    check(labels == ["version"], f"a step's declared outputs ({labels})")
    items = await complete(10, len("    needs: ["))
    labels = [item.label for item in items.items]
    check("build" in labels and "test" not in labels, f"needs offers the other steps ({labels})")

    # Hover on a key: the grammar's documentation.
    hover = await client.text_document_hover_async(
        t.HoverParams(t.TextDocumentIdentifier(uri), t.Position(12, 6))
    )
    check(hover is not None and "continue_on_error" in hover.contents.value, "hover documents the key")

    # Definition: the need points at the step.
    location = await client.text_document_definition_async(
        t.DefinitionParams(t.TextDocumentIdentifier(uri), t.Position(10, 13))
    )
    location = location[0] if isinstance(location, list) else location
    check(
        location is not None and location.uri == uri and location.range.start == t.Position(6, 2),
        f"definition of a need is the step ({location})",
    )

    # References and rename of a step: the declaration, the need and the expression.
    references = await client.text_document_references_async(
        t.ReferenceParams(
            context=t.ReferenceContext(include_declaration=True),
            text_document=t.TextDocumentIdentifier(uri),
            position=t.Position(6, 3),
        )
    )
    check(sorted(r.range.start.line for r in references) == [6, 10, 11], f"references of a step ({references})")
    rename = await client.text_document_rename_async(
        t.RenameParams(text_document=t.TextDocumentIdentifier(uri), position=t.Position(6, 3), new_name="compile")
    )
    check(len(rename.changes[uri]) == 3 and all(e.new_text == "compile" for e in rename.changes[uri]), "rename a step")

    # Symbols: the steps, grouped.
    symbols = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(t.TextDocumentIdentifier(uri))
    )
    names = [symbol.name for symbol in symbols]
    steps = next(symbol for symbol in symbols if symbol.name == "steps")
    check(names == ["agents", "steps"] and [s.name for s in steps.children] == ["build", "test"], f"symbols {names}")

    # Code actions: the quoted boolean's fix, and fix-all; applying fix-all leaves nothing to fix.
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(
            t.TextDocumentIdentifier(uri),
            t.Range(t.Position(0, 0), t.Position(13, 0)),
            t.CodeActionContext(diagnostics=published[uri].diagnostics),
        )
    )
    kinds = sorted({action.kind for action in actions})
    check(t.CodeActionKind.QuickFix in kinds and "source.fixAll.devflow" in kinds, f"code actions {kinds}")
    fix_all = next(action for action in actions if action.kind == "source.fixAll.devflow")
    edits = fix_all.edit.changes[uri]
    check(any(edit.new_text == "true" for edit in edits), "fix-all unquotes the boolean")

    # A request for a document that is not open is an error that says what to do.
    try:
        await client.text_document_hover_async(
            t.HoverParams(t.TextDocumentIdentifier("file:///nowhere.yml"), t.Position(0, 0))
        )
        check(False, "a hover on a closed document is refused")
    except Exception as error:  # pygls raises the JSON-RPC error
        check("didOpen" in str(error), f"a hover on a closed document is refused ({error})")

    client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri)))
    await wait_for(lambda: not published[uri].diagnostics, "closing clears the diagnostics")

    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    process = client._server
    code = process.returncode if process is not None else None
    if code is None and process is not None:
        code = await asyncio.wait_for(process.wait(), 10)
    check(code == 0, f"shutdown then exit ends the server with 0 (got {code})")
    await client.stop()


asyncio.run(main())
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
