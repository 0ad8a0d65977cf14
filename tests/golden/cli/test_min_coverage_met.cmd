test policies/licensing_regime_draft.edict tests/golden/inputs/own_schema.edict --min-coverage 100
