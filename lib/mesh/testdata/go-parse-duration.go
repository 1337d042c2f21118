// Regenerates go-parse-duration.json, the reference table of lib/mesh/duration.test.ts:
// each input string with what Go's time.ParseDuration (and so cel-go's duration()) makes of
// it, nanoseconds or null for an error.
//
//	npx node lib/mesh/testdata/generate-inputs.ts > /tmp/inputs.json
//	go run lib/mesh/testdata/go-parse-duration.go < /tmp/inputs.json > lib/mesh/testdata/go-parse-duration.json
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

func main() {
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	out := make([][2]any, 0, len(inputs))
	for _, s := range inputs {
		d, err := time.ParseDuration(s)
		if err != nil {
			out = append(out, [2]any{s, nil})
		} else {
			out = append(out, [2]any{s, strconv.FormatInt(int64(d), 10)})
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"go": "go1.19.8 time.ParseDuration", "cases": out}); err != nil {
		panic(err)
	}
}
