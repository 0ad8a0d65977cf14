" edict policy files
autocmd BufRead,BufNewFile *.edict setfiletype edict
