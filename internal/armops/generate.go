package armops

//go:generate go run ./gen -out data
