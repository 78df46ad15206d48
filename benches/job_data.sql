-- Synthetic data for the Join Order Benchmark's IMDB schema (../shared/corpus/benchmarks/job/
-- schema.sql), for benches/index.rs. Deterministic: every value comes from the row number through
-- job_h(n, salt), a fraction in [0, 1) from PostgreSQL's hashint8extended (the portable hash that
-- hash partitioning relies on), never random().
--
-- Scale: 20,000 titles; 451,158 rows in all (cast_info 120,000, movie_info 80,000, movie_keyword
-- 60,000, movie_companies 40,000, movie_info_idx 30,000, name 30,000, person_info 20,000,
-- title 20,000, aka_name 10,000, aka_title 10,000, char_name 10,000, complete_cast 8,000,
-- company_name 5,000, movie_link 5,000, keyword 3,000, and the small type tables with IMDB's own
-- ids and names). About 1/125 of the real 2013 IMDB snapshot by rows.
--
-- Shape: the dimension values the 113 JOB queries filter on exist with a skew like IMDB's (most
-- titles are episodes and movies, most companies are '[us]', a few keywords, companies and
-- people account for many rows, production years crowd the recent decades); strings are built
-- from word lists that contain what the queries' LIKE patterns look for ('%(co-production)%',
-- 'USA:% 200%', '%Downey%Robert%', 'Kung Fu Panda%', ...), so most predicates select something.
-- Fact tables reference popular ids more often (a power of a uniform fraction), as in IMDB.

CREATE FUNCTION job_h(n bigint, salt int) RETURNS float8
  LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashint8extended(n, salt) % 1000003) / 1000003.0 $$;
-- One element of arr picked by fraction f.
CREATE FUNCTION job_pick(arr text[], f float8) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT arr[1 + floor(f * array_length(arr, 1))::int] $$;

INSERT INTO kind_type VALUES (1, 'movie'), (2, 'tv series'), (3, 'tv movie'), (4, 'video movie'),
  (5, 'tv mini series'), (6, 'video game'), (7, 'episode');
INSERT INTO company_type VALUES (1, 'distributors'), (2, 'production companies'),
  (3, 'special effects companies'), (4, 'miscellaneous companies');
INSERT INTO comp_cast_type VALUES (1, 'cast'), (2, 'crew'), (3, 'complete'), (4, 'complete+verified');
INSERT INTO role_type VALUES (1, 'actor'), (2, 'actress'), (3, 'producer'), (4, 'writer'),
  (5, 'cinematographer'), (6, 'composer'), (7, 'costume designer'), (8, 'director'), (9, 'editor'),
  (10, 'miscellaneous crew'), (11, 'production designer'), (12, 'guest');
INSERT INTO link_type VALUES (1, 'follows'), (2, 'followed by'), (3, 'remake of'), (4, 'remade as'),
  (5, 'references'), (6, 'referenced in'), (7, 'spoofs'), (8, 'spoofed in'), (9, 'features'),
  (10, 'featured in'), (11, 'spin off from'), (12, 'spin off'), (13, 'version of'), (14, 'similar to'),
  (15, 'edited into'), (16, 'edited from'), (17, 'alternate language version of'), (18, 'unknown link');
-- IMDB's 113 info types; the ones the queries name carry IMDB's ids.
INSERT INTO info_type SELECT i, CASE i
  WHEN 1 THEN 'runtimes' WHEN 2 THEN 'color info' WHEN 3 THEN 'genres' WHEN 4 THEN 'languages'
  WHEN 5 THEN 'certificates' WHEN 6 THEN 'sound mix' WHEN 7 THEN 'tech info' WHEN 8 THEN 'countries'
  WHEN 9 THEN 'taglines' WHEN 10 THEN 'keywords' WHEN 15 THEN 'quotes' WHEN 16 THEN 'release dates'
  WHEN 17 THEN 'trivia' WHEN 18 THEN 'locations' WHEN 19 THEN 'mini biography' WHEN 21 THEN 'birth date'
  WHEN 22 THEN 'height' WHEN 98 THEN 'plot' WHEN 99 THEN 'votes distribution' WHEN 100 THEN 'votes'
  WHEN 101 THEN 'rating' WHEN 105 THEN 'budget' WHEN 112 THEN 'top 250 rank'
  WHEN 113 THEN 'bottom 10 rank' ELSE 'info type ' || i END
  FROM generate_series(1, 113) i;

-- Keywords: the ones the queries name first (ids 1-40), popular; then generic ones.
INSERT INTO keyword SELECT k,
  CASE WHEN k <= 40 THEN (ARRAY['character-name-in-title', 'sequel', 'murder', 'violence', 'blood',
    'female-nudity', 'death', 'based-on-novel', 'revenge', 'hospital', 'gore', 'superhero', 'fight',
    'murder-in-title', 'based-on-comic', 'marvel-comics', 'computer-animation', 'hero', 'martial-arts',
    'hand-to-hand-combat', 'computer-animated-movie', 'tv-special', 'second-part', 'nerd', 'loner',
    'alienation', 'dignity', 'magnet', 'web', 'claw', 'laser', 'marvel-cinematic-universe',
    '10,000-mile-club', 'sequel-to-cult-favorite', 'unofficial-sequel', 'independent-film',
    'based-on-play', 'love', 'friendship', 'family-relationships'])[k]
  ELSE job_pick(ARRAY['small', 'new', 'old', 'red', 'night', 'city', 'dog', 'car', 'war', 'school',
    'police', 'music', 'dance', 'river', 'island', 'ghost'], job_h(k, 1)) || '-' ||
    job_pick(ARRAY['town', 'chase', 'party', 'song', 'trip', 'fight', 'dream', 'story', 'game',
    'secret', 'house', 'escape'], job_h(k, 2)) || '-' || k END,
  upper(substr(md5(k::text), 1, 4))
  FROM generate_series(1, 3000) k;

-- Companies: a few famous names, then "<prefix> <suffix>" names; countries skewed to [us].
INSERT INTO company_name SELECT c,
  CASE c WHEN 1 THEN 'DreamWorks Animation' WHEN 2 THEN 'YouTube' WHEN 3 THEN 'Warner Bros.'
    WHEN 4 THEN 'Lionsgate' WHEN 5 THEN 'Twentieth Century Fox Film Corporation'
    WHEN 6 THEN '20th Century Fox Home Entertainment' WHEN 7 THEN 'Metro-Goldwyn-Mayer (MGM)'
  ELSE job_pick(ARRAY['Warner', 'Universal', 'Paramount', 'Columbia', 'Lionsgate', 'Sony', 'Disney',
    'Nordisk', 'Toho', 'Mosfilm', 'Canal+', 'BBC', 'Gaumont', 'Studio', 'Independent', 'Constantin',
    'Svensk', 'Polski', 'Tokyo', 'Pacific', 'Silver', 'Golden', 'Blue', 'Red', 'North', 'Star'],
    job_h(c, 3)) || ' ' ||
    job_pick(ARRAY['Film', 'Pictures', 'Home Video', 'Entertainment', 'Films', 'Television',
    'Distribution', 'Animation', 'Productions', 'Media', 'Video', 'Filmproduktion'], job_h(c, 4))
    || ' ' || c END,
  CASE WHEN c <= 7 THEN '[us]' ELSE job_pick(ARRAY['[us]', '[us]', '[us]', '[us]', '[us]', '[us]',
    '[us]', '[gb]', '[gb]', '[de]', '[de]', '[fr]', '[fr]', '[jp]', '[it]', '[ca]', '[ru]', '[se]',
    '[nl]', '[pl]', '[in]', '[sm]', NULL, NULL], job_h(c, 5)) END,
  NULL, NULL, NULL, md5('cn' || c)
  FROM generate_series(1, 5000) c;

-- Titles: 40% episodes, 35% movies; years crowd the recent decades.
INSERT INTO title SELECT t,
  CASE WHEN t % 997 = 5 THEN 'Shrek 2'
  ELSE job_pick(ARRAY['The', 'A', 'Saw', 'Vampire', 'Champion', 'Kung Fu Panda', 'Dragon Ball Z',
    'One Piece', 'Birdemic', 'Loser', 'Shrek', 'Love', 'Night', 'Dark', 'Money', 'Murder', 'Last',
    'Lost', 'Blue', 'Iron', 'Big', 'Little', 'Happy', 'Die', 'Der', 'Mord', 'Sweet', 'Wild', 'Cold',
    'Young'], job_h(t, 6)) || ' ' ||
    job_pick(ARRAY['Story', 'Movie', 'Freddy', 'Jason', 'Champion', 'Money', 'murder', 'Mord', 'Game',
    'Night', 'House', 'Loser', 'Road', 'City', 'Heart', 'Man', 'Woman', 'World', 'River', 'Dream',
    'Kid', 'Girl', 'Boy', 'Family', 'Show', 'War', 'Time', 'Day'], job_h(t, 7)) ||
    CASE WHEN job_h(t, 8) < 0.2 THEN ' ' || (2 + floor(job_h(t, 9) * 6)::int) ELSE '' END END,
  NULL,
  (ARRAY[1, 1, 1, 1, 1, 1, 1, 7, 7, 7, 7, 7, 7, 7, 7, 2, 2, 3, 4, 6])[1 + floor(job_h(t, 10) * 20)::int],
  CASE WHEN job_h(t, 11) < 0.03 THEN NULL ELSE 2015 - floor(115 * power(job_h(t, 12), 2.5))::int END,
  NULL, upper(substr(md5('t' || t), 1, 5)),
  NULL, NULL, NULL, NULL, md5('t' || t)
  FROM generate_series(1, 20000) t;
-- Episodes belong to a series and have numbers.
UPDATE title SET episode_of_id = 1 + floor(job_h(id, 13) * 2000)::int * 10,
  season_nr = 1 + floor(job_h(id, 14) * 8)::int, episode_nr = 1 + floor(power(job_h(id, 15), 2) * 150)::int
  WHERE kind_id = 7;
UPDATE title SET series_years = production_year || '-' || (production_year + 1 + id % 6) WHERE kind_id = 2;

INSERT INTO aka_title SELECT a, 1 + floor(power(job_h(a, 16), 1.5) * 20000)::int,
  job_pick(ARRAY['Der', 'La', 'El', 'Il', 'Le'], job_h(a, 17)) || ' ' ||
  job_pick(ARRAY['Film', 'Nacht', 'Noche', 'Amore', 'Mord', 'Geld'], job_h(a, 18)),
  NULL, 1 + floor(job_h(a, 19) * 7)::int, 1900 + floor(job_h(a, 20) * 115)::int, NULL, NULL, NULL, NULL,
  CASE WHEN job_h(a, 21) < 0.5 THEN NULL ELSE job_pick(ARRAY['(Germany)', '(Spain)', '(Italy)',
    '(France)', '(USA) (working title)', '(International: English title)'], job_h(a, 22)) END,
  md5('at' || a)
  FROM generate_series(1, 10000) a;

-- People: gender by id (id % 3 = 1 is female), surnames and first names from lists.
INSERT INTO name SELECT n,
  CASE WHEN n = 42 THEN 'Downey Jr., Robert'
  ELSE job_pick(ARRAY['Smith', 'Downey', 'Angel', 'Anders', 'Bertolucci', 'Brown', 'Xu', 'Zane',
    'Yoshida', 'Yuen', 'Timmons', 'Garcia', 'Miller', 'Andersson', 'Baker', 'Angelo', 'Becker',
    'Tanaka', 'Kowalski', 'Ivanov', 'Dubois', 'Rossi', 'Jensen', 'Young', 'Lee', 'Martin'],
    job_h(n, 23)) || ', ' ||
    CASE WHEN n % 3 = 1 THEN job_pick(ARRAY['Anna', 'Angela', 'Mary', 'Yoko', 'Bertha', 'Sofia',
      'Tina', 'Emma', 'Zoe', 'Xena', 'Britt', 'Ingrid'], job_h(n, 24))
    ELSE job_pick(ARRAY['Robert', 'Tim', 'John', 'Bert', 'Andrew', 'Yoshi', 'Brad', 'Xavier', 'Zack',
      'Hans', 'Angus', 'Mike'], job_h(n, 24)) END END,
  NULL, NULL,
  CASE WHEN job_h(n, 25) < 0.15 THEN NULL WHEN n % 3 = 1 THEN 'f' ELSE 'm' END,
  chr(65 + floor(job_h(n, 26) * 26)::int) || (100 + floor(job_h(n, 27) * 900)::int),
  chr(65 + floor(job_h(n, 28) * 26)::int) || (100 + floor(job_h(n, 29) * 900)::int),
  chr(65 + floor(job_h(n, 30) * 26)::int) || (100 + floor(job_h(n, 31) * 900)::int),
  md5('n' || n)
  FROM generate_series(1, 30000) n;

INSERT INTO aka_name SELECT a, 1 + floor(power(job_h(a, 32), 1.5) * 30000)::int,
  job_pick(ARRAY['Al', 'Anna', 'Bob', 'Zed', 'Xi', 'Yo', 'Kat', 'Sam'], job_h(a, 33)) || ' ' ||
  job_pick(ARRAY['Smith', 'Jones', 'Ray', 'Diaz', 'Kato', 'Berg'], job_h(a, 34)),
  NULL, NULL, NULL, NULL, md5('an' || a)
  FROM generate_series(1, 10000) a;

INSERT INTO char_name SELECT c,
  CASE WHEN c % 500 = 1 THEN 'Queen' WHEN c % 700 = 2 THEN 'Tony Stark' WHEN c % 900 = 3 THEN 'Iron Man'
    WHEN c % 800 = 4 THEN 'Sherlock Holmes'
  ELSE job_pick(ARRAY['Himself', 'Herself', 'Doctor', 'Policeman', 'Nurse', 'Woman', 'Man',
    'Spider-Man', 'Batman', 'Narrator', 'Mother', 'Father', 'Boy', 'Girl', 'Soldier', 'Waiter'],
    job_h(c, 35)) || CASE WHEN job_h(c, 36) < 0.5 THEN ' #' || (1 + c % 9) ELSE '' END END,
  NULL, NULL, NULL, NULL, md5('chn' || c)
  FROM generate_series(1, 10000) c;

-- Cast: actresses are female people, everyone else any; notes as in IMDB.
INSERT INTO cast_info SELECT i, p, 1 + floor(power(job_h(i, 37), 1.7) * 20000)::int,
  CASE WHEN r IN (1, 2) AND job_h(i, 38) < 0.7 THEN 1 + floor(power(job_h(i, 39), 2) * 10000)::int END,
  CASE WHEN job_h(i, 40) < 0.55 THEN NULL
    WHEN r IN (1, 2) THEN job_pick(ARRAY['(voice)', '(voice)', '(voice) (uncredited)',
      '(voice: English version)', '(voice: Japanese version)', '(uncredited)', '(uncredited)',
      '(as Bob)', '(archive footage)'], job_h(i, 41))
    WHEN r = 3 THEN job_pick(ARRAY['(producer)', '(executive producer)', '(co-producer)'], job_h(i, 41))
    WHEN r = 4 THEN job_pick(ARRAY['(writer)', '(novel)', '(screenplay)', '(story)'], job_h(i, 41))
    ELSE '(uncredited)' END,
  floor(job_h(i, 42) * 30)::int, r
  FROM (SELECT i, r,
    CASE WHEN r = 2 THEN 1 + 3 * floor(power(job_h(i, 43), 1.5) * 9999)::int
      ELSE 1 + floor(power(job_h(i, 43), 1.5) * 29999)::int END AS p
    FROM (SELECT i, (ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 8, 7, 5, 6, 9, 10, 11, 12])
      [1 + floor(job_h(i, 44) * 26)::int] AS r FROM generate_series(1, 120000) i) s) s2;

INSERT INTO movie_companies SELECT m, 1 + floor(power(job_h(m, 45), 1.5) * 20000)::int,
  1 + floor(power(job_h(m, 46), 2.5) * 5000)::int,
  (ARRAY[1, 1, 1, 1, 2, 2, 2, 2, 3, 4])[1 + floor(job_h(m, 47) * 10)::int],
  CASE WHEN job_h(m, 48) < 0.35 THEN NULL
    WHEN job_h(m, 49) < 0.08 THEN '(co-production)'
    WHEN job_h(m, 49) < 0.12 THEN '(presents)'
    WHEN job_h(m, 49) < 0.15 THEN '(as Metro-Goldwyn-Mayer Pictures)'
  ELSE '(' || (1980 + floor(job_h(m, 50) * 35)::int) || ') (' ||
    job_pick(ARRAY['USA', 'USA', 'USA', 'worldwide', 'worldwide', 'Japan', 'France', 'Germany',
      'UK', 'Sweden'], job_h(m, 51)) || ') (' ||
    job_pick(ARRAY['theatrical', 'theatrical', 'TV', 'VHS', 'DVD', 'Blu-ray', 'all media', 'video'],
      job_h(m, 52)) || ')' END
  FROM generate_series(1, 40000) m;

INSERT INTO movie_keyword SELECT m, 1 + floor(power(job_h(m, 53), 1.5) * 20000)::int,
  1 + floor(power(job_h(m, 54), 3) * 3000)::int
  FROM generate_series(1, 60000) m;

-- Movie info: the value depends on the type, as in IMDB.
INSERT INTO movie_info SELECT m, mv, it,
  CASE it
    WHEN 3 THEN job_pick(ARRAY['Drama', 'Drama', 'Comedy', 'Comedy', 'Horror', 'Action', 'Sci-Fi',
      'Thriller', 'Crime', 'War', 'Western', 'Family', 'Documentary', 'Romance', 'Short',
      'Animation'], job_h(m, 55))
    WHEN 8 THEN job_pick(ARRAY['USA', 'USA', 'USA', 'Germany', 'Sweden', 'Norway', 'Denmark', 'Japan',
      'UK', 'France', 'Bulgaria', 'Italy'], job_h(m, 55))
    WHEN 4 THEN job_pick(ARRAY['English', 'English', 'English', 'German', 'Swedish', 'Danish',
      'Norwegian', 'Japanese', 'French', 'American', 'Spanish'], job_h(m, 55))
    WHEN 16 THEN job_pick(ARRAY['USA', 'USA', 'USA', 'Japan', 'Germany', 'UK', 'France', 'Sweden'],
      job_h(m, 55)) || ':' || CASE WHEN job_h(m, 56) < 0.2 THEN '' ELSE (1 + floor(job_h(m, 57) * 28)::int)
      || ' ' || job_pick(ARRAY['January', 'March', 'May', 'July', 'September', 'November'],
      job_h(m, 58)) || ' ' END || (1950 + floor(power(job_h(m, 59), 0.4) * 65)::int)
    WHEN 1 THEN (60 + floor(job_h(m, 55) * 120)::int)::text
    WHEN 105 THEN '$' || (1 + floor(job_h(m, 55) * 200)::int) || ',000,000'
    ELSE job_pick(ARRAY['Some text', 'Another line', 'A quote', 'Color', 'Black and White'],
      job_h(m, 55)) END,
  CASE WHEN job_h(m, 60) < 0.75 THEN NULL ELSE job_pick(ARRAY['(internet)', '(worldwide) (internet)',
    '(premiere)', '(limited)', '(TV)', '(DVD premiere)'], job_h(m, 61)) END
  FROM (SELECT m, 1 + floor(power(job_h(m, 62), 1.5) * 20000)::int AS mv,
    (ARRAY[16, 16, 16, 16, 16, 3, 3, 3, 8, 8, 8, 4, 4, 1, 1, 105, 17, 98, 2, 5])
      [1 + floor(job_h(m, 63) * 20)::int] AS it
    FROM generate_series(1, 80000) m) s;

INSERT INTO movie_info_idx SELECT m, mv, it,
  CASE it
    WHEN 101 THEN to_char(1 + floor(job_h(m, 64) * 89) / 10.0, 'FM9.0')
    WHEN 100 THEN (5 + floor(power(job_h(m, 64), 3) * 200000)::int)::text
    WHEN 112 THEN (1 + floor(job_h(m, 64) * 250)::int)::text
    WHEN 113 THEN (1 + floor(job_h(m, 64) * 10)::int)::text
    ELSE '0000012' || (floor(job_h(m, 64) * 1000)::int) END,
  NULL
  FROM (SELECT m, 1 + floor(power(job_h(m, 65), 1.5) * 20000)::int AS mv,
    CASE WHEN job_h(m, 66) < 0.4 THEN 101 WHEN job_h(m, 66) < 0.8 THEN 100 WHEN job_h(m, 66) < 0.97 THEN 99
      WHEN job_h(m, 66) < 0.995 THEN 112 ELSE 113 END AS it
    FROM generate_series(1, 30000) m) s;

INSERT INTO person_info SELECT p, 1 + floor(power(job_h(p, 67), 1.5) * 30000)::int, it,
  CASE it WHEN 22 THEN (150 + floor(job_h(p, 68) * 50)::int) || ' cm'
    WHEN 21 THEN (1 + floor(job_h(p, 68) * 28)::int) || ' May ' || (1920 + floor(job_h(p, 69) * 80)::int)
    ELSE 'Biographical text ' || p END,
  CASE WHEN job_h(p, 70) < 0.7 THEN NULL ELSE job_pick(ARRAY['Volker Boehm', 'Anonymous',
    'IMDb Mini Biography', 'Pedro Borges'], job_h(p, 71)) END
  FROM (SELECT p, (ARRAY[19, 19, 19, 22, 22, 17, 17, 21, 26, 28])[1 + floor(job_h(p, 72) * 10)::int] AS it
    FROM generate_series(1, 20000) p) s;

INSERT INTO movie_link SELECT l, 1 + floor(power(job_h(l, 73), 1.5) * 20000)::int,
  1 + floor(job_h(l, 74) * 20000)::int,
  (ARRAY[1, 1, 1, 2, 2, 2, 9, 9, 10, 5, 5, 6, 3, 4, 7, 8, 11, 12, 13, 14])[1 + floor(job_h(l, 75) * 20)::int]
  FROM generate_series(1, 5000) l;

INSERT INTO complete_cast SELECT c, 1 + floor(job_h(c, 76) * 20000)::int,
  1 + floor(job_h(c, 77) * 2)::int, 3 + floor(job_h(c, 78) * 2)::int
  FROM generate_series(1, 8000) c;

DROP FUNCTION job_pick(text[], float8);
DROP FUNCTION job_h(bigint, int);
ANALYZE;
