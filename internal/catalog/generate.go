package catalog

//go:generate go run ../catalogen/cmd -out data
