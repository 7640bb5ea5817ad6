// Command barehello is examples/hello's hello function on a bare net/http
// server, the baseline of anyfaas dev's throughput (issue 6, target 6). It
// listens on 127.0.0.1:$PORT.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

type reply struct {
	Message string `json:"message"`
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	body, err := json.Marshal(reply{Message: "hello, " + name})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func main() {
	http.HandleFunc("GET /hello", hello)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil))
}
