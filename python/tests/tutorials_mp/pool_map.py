import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed


def square(x):
    return x * x


def power(base, exp):
    return base ** exp


def fails(x):
    raise ValueError(f"bad input {x}")


if __name__ == "__main__":
    with multiprocessing.Pool(processes=2) as pool:
        print(pool.map(square, range(10)))
        print(pool.starmap(power, [(2, 3), (3, 2), (10, 2)]))
        result = pool.apply_async(square, (12,))
        print("apply_async:", result.get(timeout=30))
        print("imap:", list(pool.imap(square, range(5))))
        try:
            pool.map(fails, [1])
        except ValueError as e:
            print("map raised:", e)

    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, n): n for n in range(4)}
        for future in as_completed(futures):
            print(f"{futures[future]} -> {future.result()}")
        print(list(executor.map(power, [2, 3], [5, 2])))
