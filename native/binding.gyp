{
  "targets": [
    {
      "target_name": "tl_blas",
      "sources": ["tl_blas.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-fno-trapping-math"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["TL_ACCELERATE"],
          "libraries": ["-framework Accelerate"]
        }, {
          "libraries": ["-lopenblas", "-lpthread"]
        }]
      ]
    }
  ]
}
