// The edict language: export-control regulations as code.
// docs/language.md is the reference; this grammar is its syntax.
// Parse-tree classes generated from this file never leave compiler/frontend/.
grammar Edict;

file_ : header? decl* EOF ;

header
    : 'policy' STRING headerClause*      # policyHeader
    | 'module' qualName                  # moduleHeader
    ;

headerClause
    : 'version' STRING                                   # versionClause
    | 'source' STRING                                    # sourceClause
    | 'summary' STRING                                   # summaryClause
    | 'in' 'force' 'from' DATE ('until' DATE)?           # inForceClause
    | 'compliance' 'from' DATE                           # complianceClause
    ;

decl
    : 'import' qualName                                          # importModule
    | 'import' 'policy' STRING ('as' name)?                        # importPolicy
    | DOC* 'unit' name 'count'? STRING?                            # unitDecl
    | DOC* 'const' name (':' type)? '=' expr                       # constDecl
    | DOC* 'enum' name '{' enumMember (','? enumMember)* ','? '}'  # enumDecl
    | DOC* 'set' name (':' type)? '=' expr                         # setDecl
    | DOC* 'record' name '{' fieldDecl* '}'                        # recordDecl
    | DOC* 'table' name 'of' name '{' tableRow* '}'                  # tableDecl
    | DOC* 'function' name '(' (param (',' param)*)? ')' '->' type '=' expr  # functionDecl
    | DOC* 'schema' name '{' fieldDecl* '}'                        # schemaDecl
    | DOC* 'quota' name quotaClause+                               # quotaDecl
    | DOC* 'rule' name ('replaces' qualName)? ruleClause+          # ruleDecl
    | DOC* 'exception' name 'to' qualName ruleClause+              # exceptionDecl
    | DOC* 'withdraw' qualName (',' qualName)* ('from' DATE)? ('cite' STRING)?   # withdrawRules
    | DOC* 'withdraw' 'policy' name ('from' DATE)? ('cite' STRING)?               # withdrawPolicy
    | DOC* 'timeline' '{' timelineEntry+ '}'                    # timelineDecl
    | DOC* 'test' STRING '{' testStep+ '}'                       # testDecl
    ;

enumMember : (name | ECCN) STRING? ;

fieldDecl : DOC* fieldKind? name ':' type ('=' expr)? ;
fieldKind : 'derived' | 'optional' ;

param : name ':' type ;

tableRow : rowKey ':' '{' rowField (',' rowField)* ','? '}' ;
rowKey : name | STRING ;
rowField : name ':' expr ;

quotaClause
    : 'limit' expr                         # quotaLimit
    | 'measure' expr                       # quotaMeasure
    | 'per' expr (',' expr)*               # quotaKeys
    | 'per' 'calendar' 'year'              # quotaCalendarYear
    | 'from' DATE 'to' DATE                # quotaWindow
    | 'cite' STRING                        # quotaCite
    ;

ruleClause
    : 'cite' STRING                        # citeClause
    | 'reason' STRING                      # reasonClause
    | 'in' 'force' 'from' DATE ('until' DATE)?   # ruleInForce
    | 'in' 'force' 'until' DATE            # ruleInForceUntil
    | 'compliance' 'from' DATE             # ruleCompliance
    | 'when' expr                          # whenClause
    | 'then' outcome                       # thenClause
    | 'consumes' name (',' name)*              # consumesClause
    ;

outcome
    : 'no_license_required'                                        # nlrOutcome
    | 'license_exception' '(' expr (',' 'notify' ':' expr)? ')'    # exceptionOutcome
    | 'license_required' '(' 'review' ':' expr ')'                 # licenseOutcome
    | 'prohibited'                                                 # prohibitedOutcome
    ;

timelineEntry : 'from' DATE 'apply' STRING ;

testStep
    : 'given' 'shipped' shipment              # givenStep
    | 'ship' shipment                         # shipStep
    | 'as' 'of' DATE                          # asOfStep
    | 'expect' expectation                    # expectStep
    | 'assert' expr                           # assertStep
    ;

// `1699 nvidia-h100-sxm` sets the shipment schema's `quantity` and `item`; a schema without them writes every field
// as an option: `ship with weight = 12 kg with port = "Rotterdam"`.
shipment : (NUMBER itemRef)? shipOption* ;
itemRef : name | STRING ;
shipOption
    : 'consignee' STRING                      # optConsignee
    | 'on' DATE                               # optDate
    | 'to' name                               # optDestination
    | 'hq' name                                 # optHq
    | 'end' 'use' name                          # optEndUse
    | 'end' 'user' STRING                     # optEndUser
    | 'veu' name                                # optVeu
    | 'training' 'ops' expr                   # optTrainingOps
    | 'open' 'weights'                        # optOpenWeights
    | 'exporter' STRING                       # optExporter
    | 'from' name                               # optExporterCountry
    | 'id' STRING                             # optId
    | 'with' name '=' expr                      # optField
    ;

expectation
    : outcome ('by' qualName (',' qualName)*)? ('under' underPolicy=name)? ('pending' pendingPolicy=name)?   # expectOutcome
    | 'error' STRING?                            # expectError
    ;

type
    : 'set' 'of' type                      # setType
    | type '?'                             # optionalType
    | name ('/' name)*                     # namedType
    ;

expr
    : '(' expr ')'                                     # parenExpr
    | expr '.' name                                    # fieldExpr
    | name '(' (expr (',' expr)*)? ')'                 # callExpr
    | 'fits' name                                        # fitsExpr
    | 'year' 'of' expr                                 # yearOfExpr
    | expr 'is' 'known'                                # knownExpr
    | expr 'otherwise' expr                            # otherwiseExpr
    | '-' expr                                         # negExpr
    | expr op=('*' | '/') expr                         # mulExpr
    | expr op=('+' | '-') expr                         # addExpr
    | expr op=('<' | '<=' | '>' | '>=') expr           # compareExpr
    | expr op=('=' | '!=') expr                        # equalExpr
    | expr 'is' 'not' expr                             # isNotExpr
    | expr 'is' expr                                   # isExpr
    | expr 'not' 'in' expr                             # notInExpr
    | expr 'in' expr                                   # inExpr
    | 'not' expr                                       # notExpr
    | expr 'and' expr                                  # andExpr
    | expr 'or' expr                                   # orExpr
    // Lowest precedence, so that `else` takes everything after it: `if c then a else b - {NI}`.
    | 'if' expr 'then' expr 'else' expr                # ifExpr
    | NUMBER unit?                                     # numberExpr
    | STRING                                           # stringExpr
    | DATE                                             # dateExpr
    | ('true' | 'false')                               # boolExpr
    | '{' (expr (',' expr)*)? ','? '}'                 # setExpr
    | ECCN                                             # eccnExpr
    | name                                             # nameExpr
    ;

unit : name ('/' name)* ;

qualName : name ('.' name)* ;

// Words that are keywords only where the grammar expects them; elsewhere they are ordinary names
// (schema fields such as `id`, `consignee` and `veu`, the unit `ops`, ...).
name
    : ID | 'version' | 'source' | 'summary' | 'compliance' | 'module' | 'limit' | 'measure' | 'calendar'
    | 'year' | 'consignee' | 'hq' | 'end' | 'use' | 'user' | 'veu' | 'training' | 'ops' | 'open' | 'weights'
    | 'exporter' | 'id' | 'with' | 'shipped' | 'given' | 'ship' | 'expect' | 'error' | 'apply' | 'reason'
    | 'as' | 'derived' | 'optional' | 'review' | 'notify' | 'on' | 'count' | 'assert' | 'under' | 'pending'
    ;

DATE : [0-9][0-9][0-9][0-9] '-' [0-9][0-9] '-' [0-9][0-9] ;
ECCN : [0-9] [A-E] [0-9][0-9][0-9] ('.' [a-z0-9]+)* ;
NUMBER : [0-9] [0-9_]* ('.' [0-9]+)? ([eE] [0-9]+)? ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;
// Identifiers may contain inner hyphens so that catalog ids such as nvidia-h100-sxm read as written;
// subtraction therefore needs spaces around '-'.
ID : [a-zA-Z_] [a-zA-Z0-9_]* ('-' [a-zA-Z0-9_]+)* ;
DOC : '///' ~[\r\n]* ;
COMMENT : '#' ~[\r\n]* -> skip ;
WS : [ \t\r\n]+ -> skip ;
ANY : . ;
