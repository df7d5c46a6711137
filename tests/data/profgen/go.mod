module perfgate.test/profgen

go 1.19
