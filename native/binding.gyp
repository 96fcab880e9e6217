{
  "targets": [
    {
      "target_name": "tl_blas",
      "sources": ["tl_blas.c"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["TL_ACCELERATE"],
          "libraries": ["-framework Accelerate"]
        }, {
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
