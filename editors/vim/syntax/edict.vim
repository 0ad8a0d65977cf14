" Vim syntax file for edict (export-control regulations as code). grammar/Edict.g4 is the reference.
" Install: copy editors/vim/syntax and editors/vim/ftdetect into ~/.vim (or ~/.config/nvim), or add editors/vim to
" 'runtimepath'. For errors, hovers and definitions, point a language client at `edict lsp`.
if exists("b:current_syntax")
  finish
endif

syn iskeyword @,48-57,_,-

syn keyword edictDeclaration policy module import unit const enum set record table function schema quota rule
syn keyword edictDeclaration exception withdraw timeline test
syn keyword edictClause version source summary force from until compliance cite reason when then consumes
syn keyword edictClause limit measure per calendar year to replaces apply by derived optional review notify
syn keyword edictTest given shipped ship expect assert error under pending
syn keyword edictOperatorWord and or not in is known if else otherwise fits of
syn keyword edictOutcome no_license_required license_required license_exception prohibited
syn keyword edictBoolean true false

syn match edictDate "\<\d\{4}-\d\d-\d\d\>"
syn match edictEccn "\<\d[A-E]\d\{3}\%(\.[a-z0-9]\+\)*\>"
syn match edictNumber "\<\d[0-9_]*\%(\.\d\+\)\=\%([eE]\d\+\)\=\>"
syn match edictDeclName "\%(\<\%(rule\|exception\|quota\|function\|const\|set\|enum\|record\|schema\|table\|unit\)\s\+\)\@<=\h[A-Za-z0-9_-]*"
syn region edictString start=+"+ skip=+\\.+ end=+"\|$+ contains=edictEscape
syn match edictEscape "\\." contained
syn match edictComment "#.*$" contains=edictMark
syn match edictDoc "///.*$" contains=edictMark
syn match edictMark "\[\%(P\*\=\|S\|D\|U\)\%([]:/ ][^]]*\)\=\]" contained

hi def link edictDeclaration Structure
hi def link edictClause Keyword
hi def link edictTest Statement
hi def link edictOperatorWord Operator
hi def link edictOutcome Constant
hi def link edictBoolean Boolean
hi def link edictDate Number
hi def link edictEccn Constant
hi def link edictNumber Number
hi def link edictDeclName Function
hi def link edictString String
hi def link edictEscape SpecialChar
hi def link edictComment Comment
hi def link edictDoc SpecialComment
hi def link edictMark Todo

let b:current_syntax = "edict"
