// The CodeMirror 6 set-up of the YAML editor. Imported only through a dynamic import() from
// YamlEditor.vue, so the editor (a few hundred KB) is a chunk of its own loaded on first use.
import { autocompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { forceLinting, linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { enumOf, type OpenApiLoader } from './openapi-schema';
import { cursorContext } from './yaml-cursor';
import { parseYamlText, type Diagnostic } from './yaml-documents';

export interface YamlEditorOptions {
  doc: string;
  dark: boolean;
  readOnly?: boolean;
  schemas?: OpenApiLoader;
  onChange(text: string): void;
  /** Ctrl/Cmd+Enter. */
  onSubmit?(): void;
}

export interface YamlEditorHandle {
  setDark(dark: boolean): void;
  setText(text: string): void;
  /** Diagnostics from the API; dropped at the next edit, since their positions no longer hold. */
  setServerDiagnostics(diagnostics: Diagnostic[]): void;
  focus(): void;
  destroy(): void;
}

const toCm = (d: Diagnostic, length: number): CmDiagnostic => ({ from: Math.min(d.from, length), to: Math.min(Math.max(d.to, d.from), length), severity: d.severity, message: d.message });

function completionSource(loader: OpenApiLoader) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const text = ctx.state.doc.toString();
    const c = cursorContext(text, ctx.pos);
    if (!c.apiVersion || !c.kind || (!ctx.explicit && !c.prefix && !c.valueKey)) return null;
    await loader.load(c.apiVersion);
    if (c.valueKey) {
      const values = enumOf(loader.schemas.at(c.apiVersion, c.kind, [...c.path, c.valueKey]));
      return values ? { from: c.from, options: values.map((v) => ({ label: v, type: 'enum' })), validFor: /^[\w.-]*$/ } : null;
    }
    const options: Completion[] = loader.schemas.fields(c.apiVersion, c.kind, c.path).map((f) => ({
      label: f.name,
      type: 'property',
      detail: f.enum ? f.enum.join(' | ') : f.type,
      info: f.description,
      apply: `${f.name}: `,
    }));
    return options.length ? { from: c.from, options, validFor: /^[\w.-]*$/ } : null;
  };
}

export function createYamlEditor(parent: HTMLElement, options: YamlEditorOptions): YamlEditorHandle {
  const theme = new Compartment();
  let server: Diagnostic[] = [];

  const lint = linter(
    (view) => {
      const text = view.state.doc.toString();
      const parsed = parseYamlText(text);
      const found: Diagnostic[] = [...parsed.syntaxErrors, ...server];
      const schemas = options.schemas;
      if (schemas && !parsed.syntaxErrors.length) {
        for (const d of parsed.documents) {
          const { apiVersion, kind } = d.object ?? {};
          if (apiVersion && kind && schemas.loaded(apiVersion)) found.push(...schemas.schemas.unknownFields(d.doc, text, apiVersion, kind));
          else if (apiVersion) void schemas.load(apiVersion).then(() => forceLinting(view));
        }
      }
      return found.map((d) => toCm(d, text.length));
    },
    { delay: 300 },
  );

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        keymap.of([{ key: 'Mod-Enter', run: () => (options.onSubmit?.(), true) }]),
        basicSetup,
        yaml(),
        lintGutter(),
        lint,
        ...(options.schemas ? [autocompletion({ override: [completionSource(options.schemas)] })] : []),
        theme.of(options.dark ? oneDark : []),
        EditorState.readOnly.of(Boolean(options.readOnly)),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          server = [];
          options.onChange(update.state.doc.toString());
        }),
        EditorView.theme({ '&': { height: '100%', fontSize: '13px' }, '.cm-scroller': { fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', monospace" } }),
      ],
    }),
  });

  return {
    setDark: (dark) => view.dispatch({ effects: theme.reconfigure(dark ? oneDark : []) }),
    setText: (text) => {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setServerDiagnostics: (diagnostics) => {
      server = diagnostics;
      forceLinting(view);
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
